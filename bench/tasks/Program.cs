// SPDX-License-Identifier: MIT
// Benchmark app: CHAINS chains of DEPTH async methods each, suspended on a
// TaskCompletionSource nobody completes; then waits to be dumped.
namespace Bench;

static class Tasks
{
    static readonly List<TaskCompletionSource<int>> Sources = new();
    static readonly List<Task<int>> Kept = new();

    static async Task<int> Chain(int depth)
    {
        if (depth > 1)
            return await Chain(depth - 1) + 1;
        var tcs = new TaskCompletionSource<int>();
        Sources.Add(tcs);
        return await tcs.Task;
    }

    static int Main(string[] args)
    {
        if (args.Length != 3) { Console.Error.WriteLine("usage: tasks CHAINS DEPTH READYFILE"); return 2; }
        int chains = int.Parse(args[0]), depth = int.Parse(args[1]);
        for (int c = 0; c < chains; c++)
            Kept.Add(Chain(depth));
        GC.Collect(2, GCCollectionMode.Forced, true, true);
        File.WriteAllText(args[2], Environment.ProcessId.ToString());
        Thread.Sleep(Timeout.Infinite);
        return Kept.Count;
    }
}
