// SPDX-License-Identifier: MIT
// Benchmark app: a heap of millions of small objects, kept alive, then waits to be dumped.
static class Program
{
    sealed class Node { public int Id; public Node? Next; }

    static Node[]? nodes;
    static string[]? names;

    static int Main(string[] args)
    {
        if (args.Length != 2) { Console.Error.WriteLine("usage: bench COUNT READYFILE"); return 2; }
        int count = int.Parse(args[0]);
        nodes = new Node[count];
        for (int i = 0; i < count; i++) nodes[i] = new Node { Id = i, Next = i > 0 ? nodes[i - 1] : null };
        names = new string[count / 4];
        for (int i = 0; i < names.Length; i++) names[i] = "n" + i;
        GC.Collect(2, GCCollectionMode.Forced, true, true);
        File.WriteAllText(args[1], Environment.ProcessId.ToString());
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
