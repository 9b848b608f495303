// SPDX-License-Identifier: MIT
// Benchmark app: THREADS threads each holding VALUES AsyncLocal values (the same
// VALUES AsyncLocals on every thread, half ints and half strings), then waits to be dumped.
static class Program
{
    static int Main(string[] args)
    {
        if (args.Length != 3) { Console.Error.WriteLine("usage: asynclocal THREADS VALUES READYFILE"); return 2; }
        int threads = int.Parse(args[0]), values = int.Parse(args[1]);
        var ints = new AsyncLocal<int>[(values + 1) / 2];
        var strings = new AsyncLocal<string>[values / 2];
        for (int i = 0; i < ints.Length; i++) ints[i] = new AsyncLocal<int>();
        for (int i = 0; i < strings.Length; i++) strings[i] = new AsyncLocal<string>();
        var ready = new CountdownEvent(threads);
        var hold = new ManualResetEventSlim(false);
        for (int t = 0; t < threads; t++)
        {
            int n = t;
            var th = new Thread(() =>
            {
                for (int i = 0; i < ints.Length; i++) ints[i].Value = n * 1000 + i;
                for (int i = 0; i < strings.Length; i++) strings[i].Value = $"thread {n} value {i}";
                ready.Signal();
                hold.Wait();
            }, 256 * 1024) { IsBackground = true };
            th.Start();
        }
        ready.Wait();
        GC.Collect(2, GCCollectionMode.Forced, true, true);
        File.WriteAllText(args[2], Environment.ProcessId.ToString());
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
