// SPDX-License-Identifier: MIT
// The ClrMD oracle: prints facts of a .NET dump as ClrMD (through Microsoft's DAC) sees
// them, in clrfs's formats, so tests/tree/oracle.bats and scripts/bench can compare.
//
//   oracle stats DUMP          COUNT<TAB>BYTES<TAB>MT<TAB>NAME per type of every non-free
//                              object of Heap.EnumerateObjects(), sorted like clrfs's
//                              /heap/stats (BYTES desc, NAME ordinal, MT), then the
//                              line COUNT<TAB>BYTES<TAB>-<TAB>Total
//   oracle threads DUMP        MANAGED-ID<TAB>OS-ID<TAB>alive|dead per thread of the
//                              thread store, by managed id
//   oracle fields TYPE DUMP    per instance of TYPE (clrfs name): ADDR, then one
//                              <TAB>NAME=VALUE per primitive or string field, inherited
//                              ones included, in field order
//   oracle handles DUMP        HANDLE<TAB>KIND<TAB>OBJECT, plus <TAB>SECONDARY for a
//                              dependent handle with one, per handle of
//                              Runtime.EnumerateHandles() holding an object, by address
//   oracle finalizer DUMP      registered<TAB>ADDR per Heap.EnumerateFinalizableObjects(),
//                              ready<TAB>ADDR per Heap.EnumerateFinalizerRoots(), by
//                              address within each
//   oracle exceptions DUMP     ADDR<TAB>METHOD per frame of the stack trace of each
//                              exception object on the heap, by address, the throwing
//                              frame first (ClrException.StackTrace)
//   oracle stacks DUMP         MANAGED-ID<TAB>FRAME per frame of each live thread's
//                              EnumerateStackTrace(), innermost first, threads by managed
//                              id: Namespace.Type.Method for a managed frame, [FrameName]
//                              for a runtime one
//   oracle reach ROOTS DUMP    the stats lines of the objects roots reach (through
//                              EnumerateReferenceAddresses, dependent handles followed),
//                              each line after "given<TAB>" for the objects of the file
//                              ROOTS, one address per line (clrfs's roots, to compare the
//                              walk alone), after "clrmd<TAB>" for ClrMD's own roots; then
//                              root<TAB>KIND<TAB>OBJECT per root of Heap.EnumerateRoots()
//                              (KIND ClrMD's ClrRootKind: StrongHandle, Stack, ...), sorted,
//                              once each
//   oracle paths TARGETS DUMP  TARGET<TAB>KIND<TAB>ADDR,ADDR,... per address of the file
//                              TARGETS (one per line): the first path GCRoot finds from a
//                              root (KIND its ClrRootKind) to it, the root's object first;
//                              TARGET<TAB>unreachable when there is none
//   oracle refs DUMP           ADDR<TAB>REF per reference each object on the heap holds
//                              (ClrObject.EnumerateReferenceAddresses, dependent handles
//                              left out), by object address, in ClrMD's order
//
// The DAC is the one of the dump's runtime: CLRFS_DAC, else libmscordaccore.so in the
// directory of the runtime ClrMD finds in the dump, else in the directory of the
// runtime running this program (a heap dump names the runtime's files but holds no
// copy of the DAC; the machine that made the fixtures runs that same runtime).
using System.Globalization;
using System.Text;
using Microsoft.Diagnostics.Runtime;

static class Oracle
{
    static int Main(string[] args)
    {
        try
        {
            switch (args)
            {
                case ["stats", var dump]: return Run(dump, Stats);
                case ["threads", var dump]: return Run(dump, Threads);
                case ["fields", var type, var dump]: return Run(dump, rt => Fields(rt, type));
                case ["handles", var dump]: return Run(dump, Handles);
                case ["finalizer", var dump]: return Run(dump, Finalizer);
                case ["stacks", var dump]: return Run(dump, Stacks);
                case ["refs", var dump]: return Run(dump, Refs);
                case ["reach", var roots, var dump]: return Run(dump, rt => Reach(rt, roots));
                case ["paths", var targets, var dump]: return Run(dump, rt => Paths(rt, targets));
                case ["exceptions", var dump]: return Run(dump, Exceptions);
                case ["modules", var dump]: return Run(dump, Modules);
                default:
                    Console.Error.WriteLine("usage: oracle stats DUMP | threads DUMP | fields TYPE DUMP | handles DUMP | finalizer DUMP | stacks DUMP | exceptions DUMP | modules DUMP");
                    return 2;
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"oracle: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    static int Run(string dump, Action<ClrRuntime> what)
    {
        using DataTarget dt = DataTarget.LoadDump(dump);
        if (dt.ClrVersions.Length == 0)
            throw new InvalidOperationException($"no CLR in {dump}");
        ClrInfo clr = dt.ClrVersions[0];
        // ClrMD reads no version from a createdump ELF core of 10.0 (it says 0.0) and then
        // refuses every DAC as mismatched; the version is only checked when it knows one.
        using ClrRuntime rt = clr.CreateRuntime(FindDac(clr), ignoreMismatch: clr.Version.Major == 0);
        var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16);
        Console.SetOut(stdout);
        what(rt);
        stdout.Flush();
        return 0;
    }

    static string FindDac(ClrInfo clr)
    {
        const string dac = "libmscordaccore.so";
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("CLRFS_DAC") is { Length: > 0 } env)
            candidates.Add(env);
        if (Path.GetDirectoryName(clr.ModuleInfo.FileName) is { Length: > 0 } dir)
            candidates.Add(Path.Combine(dir, dac));
        candidates.Add(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), dac));
        foreach (string c in candidates)
            if (File.Exists(c))
                return c;
        throw new FileNotFoundException($"no {dac} for runtime {clr.Version}; tried: {string.Join(", ", candidates)}");
    }

    static string Addr(ulong a) => "0x" + a.ToString("x16");

    static void Stats(ClrRuntime rt) => Stats(rt.Heap.EnumerateObjects());

    static void Paths(ClrRuntime rt, string targetsFile)
    {
        foreach (string line in File.ReadLines(targetsFile).Where(l => l.Length > 0))
        {
            ulong target = Convert.ToUInt64(line, 16);
            var gcroot = new GCRoot(rt.Heap, new[] { target });
            var found = gcroot.EnumerateRootPaths().Select(p => ((ClrRoot, GCRoot.ChainLink)?)p).FirstOrDefault();
            if (found is not (ClrRoot root, GCRoot.ChainLink chain))
            {
                Console.Write($"{Addr(target)}\tunreachable\n");
                continue;
            }
            var hops = new List<string>();
            for (GCRoot.ChainLink? c = chain; c != null; c = c.Next)
                hops.Add(Addr(c.Object));
            Console.Write($"{Addr(target)}\t{root.RootKind}\t{string.Join(",", hops)}\n");
        }
    }

    static void Reach(ClrRuntime rt, string rootsFile)
    {
        var given = File.ReadLines(rootsFile).Where(l => l.Length > 0)
            .Select(l => rt.Heap.GetObject(Convert.ToUInt64(l, 16)));
        Stats(Live(rt, given), "given\t");
        Stats(Live(rt, rt.Heap.EnumerateRoots().Select(r => r.Object)), "clrmd\t");
        foreach (string l in rt.Heap.EnumerateRoots().Select(r => $"root\t{r.RootKind}\t{Addr(r.Object.Address)}").Distinct().Order(StringComparer.Ordinal))
            Console.Write(l + "\n");
    }

    static List<ClrObject> Live(ClrRuntime rt, IEnumerable<ClrObject> roots)
    {
        var seen = new HashSet<ulong>();
        var queue = new Queue<ClrObject>();
        foreach (ClrObject o in roots)
            if (o.IsValid && seen.Add(o.Address))
                queue.Enqueue(o);
        var live = new List<ClrObject>();
        while (queue.TryDequeue(out ClrObject o))
        {
            live.Add(o);
            foreach (ulong a in o.EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
                if (seen.Add(a) && rt.Heap.GetObject(a) is { IsValid: true } c)
                    queue.Enqueue(c);
        }
        return live;
    }

    static void Stats(IEnumerable<ClrObject> objects, string prefix = "")
    {
        var byMt = new Dictionary<ulong, (string Name, long Count, long Bytes)>();
        foreach (ClrObject o in objects)
        {
            if (o.Type is not { } t)
                throw new InvalidOperationException($"object {Addr(o.Address)}: no type");
            if (t.IsFree)
                continue;
            byMt.TryGetValue(t.MethodTable, out var e);
            byMt[t.MethodTable] = (e.Name ?? Names.Normalize(t.Name), e.Count + 1, e.Bytes + (long)o.Size);
        }
        long count = 0, bytes = 0;
        var lines = byMt.Select(kv => (Mt: kv.Key, kv.Value.Name, kv.Value.Count, kv.Value.Bytes)).ToList();
        lines.Sort((a, b) => a.Bytes != b.Bytes ? b.Bytes.CompareTo(a.Bytes)
            : string.CompareOrdinal(a.Name, b.Name) is var c and not 0 ? c : a.Mt.CompareTo(b.Mt));
        foreach (var l in lines)
        {
            Console.Write($"{prefix}{l.Count}\t{l.Bytes}\t{Addr(l.Mt)}\t{l.Name}\n");
            count += l.Count;
            bytes += l.Bytes;
        }
        Console.Write($"{prefix}{count}\t{bytes}\t-\tTotal\n");
    }

    // clrfs's kind names (decoder/runtime/handles.c), by ClrMD's kind.
    static string Kind(ClrHandleKind k) => k switch
    {
        ClrHandleKind.WeakShort => "weak-short",
        ClrHandleKind.WeakLong => "weak-long",
        ClrHandleKind.Strong => "strong",
        ClrHandleKind.Pinned => "pinned",
        ClrHandleKind.RefCounted => "refcounted",
        ClrHandleKind.Dependent => "dependent",
        ClrHandleKind.AsyncPinned => "async-pinned",
        ClrHandleKind.SizedRef => "sizedref",
        _ => $"kind-{(int)k}",
    };

    static void Handles(ClrRuntime rt)
    {
        foreach (ClrHandle h in rt.EnumerateHandles().Where(h => h.Object.Address != 0).OrderBy(h => h.Address))
        {
            string sec = h.HandleKind == ClrHandleKind.Dependent && h.Dependent.Address != 0 ? $"\t{Addr(h.Dependent.Address)}" : "";
            Console.Write($"{Addr(h.Address)}\t{Kind(h.HandleKind)}\t{Addr(h.Object.Address)}{sec}\n");
        }
    }

    static void Finalizer(ClrRuntime rt)
    {
        foreach (ulong a in rt.Heap.EnumerateFinalizableObjects().Select(o => o.Address).Order())
            Console.Write($"registered\t{Addr(a)}\n");
        foreach (ulong a in rt.Heap.EnumerateFinalizerRoots().Select(r => r.Object.Address).Order())
            Console.Write($"ready\t{Addr(a)}\n");
    }

    // MODULE ASSEMBLY BASE SIZE PATH per module of the AppDomain, by Module address.
    static void Modules(ClrRuntime rt)
    {
        foreach (ClrModule m in rt.AppDomains.SelectMany(d => d.Modules).OrderBy(m => m.Address))
            Console.Write($"{Addr(m.Address)}\t{Addr(m.AssemblyAddress)}\t{Addr(m.ImageBase)}\t{m.Size}\t{m.Name}\n");
    }

    static void Threads(ClrRuntime rt)
    {
        foreach (ClrThread t in rt.Threads.OrderBy(t => t.ManagedThreadId))
            Console.Write($"{t.ManagedThreadId}\t{t.OSThreadId}\t{(t.IsAlive ? "alive" : "dead")}\n");
    }

    static void Stacks(ClrRuntime rt)
    {
        foreach (ClrThread t in rt.Threads.Where(t => t.IsAlive).OrderBy(t => t.ManagedThreadId))
            foreach (ClrStackFrame f in t.EnumerateStackTrace())
            {
                string? frame = f.Kind switch
                {
                    ClrStackFrameKind.ManagedMethod when f.Method is { } m =>
                        Names.Normalize(m.Type?.Name) + "." + Names.Method(m.Name),
                    ClrStackFrameKind.Runtime => "[" + f.FrameName + "]",
                    _ => null,
                };
                if (frame != null)
                    Console.Write($"{t.ManagedThreadId}\t{frame}\n");
            }
    }

    static void Refs(ClrRuntime rt)
    {
        var w = new StreamWriter(Console.OpenStandardOutput());
        foreach (ClrObject o in rt.Heap.EnumerateObjects().OrderBy(o => o.Address))
            foreach (ulong r in o.EnumerateReferenceAddresses(carefully: false, considerDependantHandles: false))
                w.Write($"{Addr(o.Address)}\t{Addr(r)}\n");
        w.Flush();
    }

    static void Exceptions(ClrRuntime rt)
    {
        foreach (ClrObject o in rt.Heap.EnumerateObjects().Where(o => o.Type is { IsException: true }).OrderBy(o => o.Address))
        {
            if (o.AsException() is not { } e)
                continue;
            foreach (ClrStackFrame f in e.StackTrace)
                if (f.Method is { } m)
                    Console.Write($"{Addr(o.Address)}\t{Names.Normalize(m.Type?.Name)}.{Names.Method(m.Name)}\n");
        }
    }

    static void Fields(ClrRuntime rt, string type)
    {
        foreach (ClrObject o in rt.Heap.EnumerateObjects())
        {
            if (o.Type is not { IsFree: false } t || Names.Normalize(t.Name) != type)
                continue;
            var line = new StringBuilder(Addr(o.Address));
            foreach (ClrInstanceField f in t.Fields)
                if (Value(o, f) is { } v)
                    line.Append('\t').Append(f.Name).Append('=').Append(v);
            Console.Write(line.Append('\n').ToString());
        }
    }

    // A string as a JSON string literal: quotes, backslashes and control characters
    // escaped, everything else (non-ASCII included) as itself.
    static string Quote(string s)
    {
        var r = new StringBuilder("\"");
        foreach (char c in s)
            r.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        return r.Append('"').ToString();
    }

    // A field's value as DESIGN.md "Names and values" writes it; null for fields that
    // are neither primitive nor string (enums included).
    static string? Value(ClrObject o, ClrInstanceField f)
    {
        static string R(IFormattable v) => v.ToString(null, CultureInfo.InvariantCulture);
        if (f.Type is { IsEnum: true })
            return null;
        return f.ElementType switch
        {
            ClrElementType.Boolean => o.ReadField<bool>(f.Name!) ? "true" : "false",
            ClrElementType.Char => ((char)o.ReadField<ushort>(f.Name!)).ToString(),
            ClrElementType.Int8 => R(o.ReadField<sbyte>(f.Name!)),
            ClrElementType.UInt8 => R(o.ReadField<byte>(f.Name!)),
            ClrElementType.Int16 => R(o.ReadField<short>(f.Name!)),
            ClrElementType.UInt16 => R(o.ReadField<ushort>(f.Name!)),
            ClrElementType.Int32 => R(o.ReadField<int>(f.Name!)),
            ClrElementType.UInt32 => R(o.ReadField<uint>(f.Name!)),
            ClrElementType.Int64 => R(o.ReadField<long>(f.Name!)),
            ClrElementType.UInt64 => R(o.ReadField<ulong>(f.Name!)),
            ClrElementType.Float => R(o.ReadField<float>(f.Name!)),
            ClrElementType.Double => R(o.ReadField<double>(f.Name!)),
            ClrElementType.NativeInt or ClrElementType.NativeUInt or ClrElementType.Pointer
                or ClrElementType.FunctionPointer => Addr(o.ReadField<ulong>(f.Name!)),
            ClrElementType.String => o.ReadStringField(f.Name!, int.MaxValue) is { } s
                ? Quote(s) : "null",
            _ => null,
        };
    }
}

// ClrMD's type names turned into clrfs's (DESIGN.md "Names and values"). Seen in ClrMD
// 4.1's output on runtime 10.0.12 dumps, the only difference is that ClrMD separates
// generic arguments with ", " where clrfs writes "," (no spaces). Nesting (`+`, each
// type of the chain with its own arguments), arrays (`[]`, `[,]`), `System.__Canon` and
// compiler-generated names (`<>c`) are written alike. A type ClrMD cannot name is
// "<unknown>"; its line can only match by MT.
static class Names
{
    public static string Normalize(string? name) =>
        string.IsNullOrEmpty(name) ? "<unknown>" : name.Replace(", ", ",");

    // A method's name as clrfs writes it: ClrMD names a generic method's type
    // arguments as reflection does, Wait[[System.Int64, System.Private.CoreLib]]
    // (an argument of a generic type List`1[[...]] in turn); clrfs as C# does,
    // Wait<System.Int64>.
    public static string Method(string? name) =>
        string.IsNullOrEmpty(name) ? "<unknown>" : Reflection(name);

    static string Reflection(string name)
    {
        int open = name.IndexOf("[[", StringComparison.Ordinal);
        if (open < 0 || !name.EndsWith("]]", StringComparison.Ordinal))
            return name;
        string head = name[..open];
        int tick = head.IndexOf('`');
        if (tick >= 0)
            head = head[..tick];
        var args = new List<string>();
        int depth = 0, start = open + 1;
        for (int i = open + 1; i < name.Length - 1; i++)
        {
            if (name[i] == '[' && depth++ == 0)
                start = i + 1;
            else if (name[i] == ']' && --depth == 0)
            {
                // "[Type, Assembly]": the type, less its assembly.
                string arg = name[start..i];
                int comma = -1;
                for (int j = 0, d = 0; j < arg.Length; j++)
                    if (arg[j] == '[') d++;
                    else if (arg[j] == ']') d--;
                    else if (arg[j] == ',' && d == 0) { comma = j; break; }
                args.Add(Reflection(comma < 0 ? arg : arg[..comma]));
            }
        }
        return head + "<" + string.Join(",", args) + ">";
    }
}
