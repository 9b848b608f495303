// SPDX-License-Identifier: MIT
// Benchmark app: a Dictionary<int, string> of COUNT entries held by a static field
// (Bench.Collections.Map), some removed and re-added so that it has freed slots
// reused; then waits to be dumped.
namespace Bench;

static class Collections
{
    public static Dictionary<int, string>? Map;

    static int Main(string[] args)
    {
        if (args.Length != 2) { Console.Error.WriteLine("usage: collections COUNT READYFILE"); return 2; }
        int count = int.Parse(args[0]);
        var map = new Dictionary<int, string>();
        for (int i = 0; i < count; i++)
            map[i] = "v" + i;
        for (int i = 0; i < count; i += 100)
            map.Remove(i);
        for (int i = 0; i < count; i += 100)
            map[i] = "w" + i;
        Map = map;
        GC.Collect(2, GCCollectionMode.Forced, true, true);
        File.WriteAllText(args[1], Environment.ProcessId.ToString());
        Thread.Sleep(Timeout.Infinite);
        return map.Count;
    }
}
