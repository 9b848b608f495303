// SPDX-License-Identifier: MIT
// Benchmark app: THREADS threads each DEPTH managed frames deep (a recursion of a method
// never inlined, which does work after each call), blocked on one event; then waits to
// be dumped.
using System.Runtime.CompilerServices;

namespace Bench;

static class Stacks
{
    static readonly ManualResetEventSlim Hold = new(false);
    static CountdownEvent Ready = null!;
    static int Sink;

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Recurse(int depth)
    {
        if (depth > 1)
            Recurse(depth - 1);
        else
        {
            Ready.Signal();
            Hold.Wait();
        }
        Sink++;
    }

    static int Main(string[] args)
    {
        if (args.Length != 3) { Console.Error.WriteLine("usage: stacks THREADS DEPTH READYFILE"); return 2; }
        int threads = int.Parse(args[0]), depth = int.Parse(args[1]);
        Ready = new CountdownEvent(threads);
        for (int t = 0; t < threads; t++)
            new Thread(() => Recurse(depth), 256 * 1024) { IsBackground = true }.Start();
        Ready.Wait();
        Thread.Sleep(500); // each thread from its Signal into its Wait
        File.WriteAllText(args[2], Environment.ProcessId.ToString());
        Thread.Sleep(Timeout.Infinite);
        return Sink;
    }
}
