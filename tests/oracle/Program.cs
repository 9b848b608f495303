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
                default:
                    Console.Error.WriteLine("usage: oracle stats DUMP | threads DUMP | fields TYPE DUMP");
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

    static void Stats(ClrRuntime rt)
    {
        var byMt = new Dictionary<ulong, (string Name, long Count, long Bytes)>();
        ulong align = (ulong)rt.DataTarget.DataReader.PointerSize;
        long unaligned = 0;
        foreach (ClrObject o in rt.Heap.EnumerateObjects())
        {
            if (o.Type is not { } t)
                throw new InvalidOperationException($"object {Addr(o.Address)}: no type");
            if (t.IsFree)
                continue;
            byMt.TryGetValue(t.MethodTable, out var e);
            ulong size = (o.Size + align - 1) & ~(align - 1);
            unaligned += (long)o.Size;
            byMt[t.MethodTable] = (e.Name ?? Names.Normalize(t.Name), e.Count + 1, e.Bytes + (long)size);
        }
        long count = 0, bytes = 0;
        var lines = byMt.Select(kv => (Mt: kv.Key, kv.Value.Name, kv.Value.Count, kv.Value.Bytes)).ToList();
        lines.Sort((a, b) => a.Bytes != b.Bytes ? b.Bytes.CompareTo(a.Bytes)
            : string.CompareOrdinal(a.Name, b.Name) is var c and not 0 ? c : a.Mt.CompareTo(b.Mt));
        foreach (var l in lines)
        {
            Console.Write($"{l.Count}\t{l.Bytes}\t{Addr(l.Mt)}\t{l.Name}\n");
            count += l.Count;
            bytes += l.Bytes;
        }
        Console.Write($"{count}\t{bytes}\t-\tTotal\n");
        foreach (var (clrmd, clrfs) in Names.Gaps)
            Console.Error.WriteLine($"note: name: nested generic: ClrMD {clrmd} = clrfs {clrfs}");
        if (unaligned != bytes)
            Console.Error.WriteLine($"note: sizes: ClrMD (like SOS dumpheap) sizes an object BaseSize + n*ComponentSize, "
                + $"unaligned: {unaligned} bytes in all; rounded up to {align} as the heap allocates them: {bytes}");
    }

    static void Threads(ClrRuntime rt)
    {
        foreach (ClrThread t in rt.Threads.OrderBy(t => t.ManagedThreadId))
            Console.Write($"{t.ManagedThreadId}\t{t.OSThreadId}\t{(t.IsAlive ? "alive" : "dead")}\n");
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

// ClrMD's type names turned into clrfs's (DESIGN.md "Names and values"). Rules, each
// seen in ClrMD 4.1's output on runtime 10.0.12 dumps:
// 1. No spaces: ClrMD separates generic arguments with ", ", clrfs with ",".
// 2. Nested generics (a known gap, counted in Gaps): ClrMD gives each type of the nesting
//    chain its own arguments, as C# does: `Dictionary<System.String,System.Int32>+Entry[]`;
//    clrfs today puts all the arguments after the innermost name:
//    `Dictionary+Entry<System.String,System.Int32>[]`. The oracle writes clrfs's form.
// 3. A type ClrMD cannot name (null or empty) is "<unknown>"; its line can only match
//    by MT. A name that does not parse is only stripped of spaces (rule 1).
// Arrays (`[]`, `[,]`), nesting (`+`), `System.__Canon` and compiler-generated names
// (`<>c`, `<Main>d__0`) are written alike by both.
static class Names
{
    // ClrMD name -> clrfs name, for each name that rule 2 changed.
    public static readonly SortedDictionary<string, string> Gaps = new(StringComparer.Ordinal);

    public static string Normalize(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "<unknown>";
        int i = 0;
        bool gap = false;
        string? r = Parse(name, ref i, ref gap);
        if (r is null || i != name.Length)
            return name.Replace(", ", ",");
        if (gap)
            Gaps[name] = r;
        return r;
    }

    // Name := Segment ('+' Segment)* ('[' ','* ']' | '*')*; Segment := Ident ('<' Name (',' Name)* '>')?
    static string? Parse(string s, ref int i, ref bool gap)
    {
        var idents = new List<string>();
        var args = new List<string>();
        bool outerArgs = false;
        while (true)
        {
            int start = i;
            if (i < s.Length && s[i] == '<') // a compiler-generated name: <>c, <Main>d__0
            {
                int depth = 0;
                do
                {
                    depth += s[i] == '<' ? 1 : s[i] == '>' ? -1 : 0;
                    i++;
                } while (i < s.Length && depth > 0);
            }
            while (i < s.Length && "<>,+[]* ".IndexOf(s[i]) < 0)
                i++;
            if (i == start)
                return null;
            idents.Add(s[start..i]);
            if (i < s.Length && s[i] == '<')
            {
                if (args.Count > 0)
                    outerArgs = true;
                do
                {
                    i++;
                    while (i < s.Length && s[i] == ' ')
                        i++;
                    if (Parse(s, ref i, ref gap) is not { } arg)
                        return null;
                    args.Add(arg);
                } while (i < s.Length && s[i] == ',');
                if (i >= s.Length || s[i] != '>')
                    return null;
                i++;
            }
            if (i < s.Length && s[i] == '+')
            {
                i++;
                if (args.Count > 0)
                    outerArgs = true;
                continue;
            }
            break;
        }
        var r = new StringBuilder(string.Join('+', idents));
        if (args.Count > 0)
            r.Append('<').Append(string.Join(',', args)).Append('>');
        gap |= outerArgs;
        while (i < s.Length && (s[i] == '[' || s[i] == '*'))
        {
            int start = i;
            if (s[i] == '[')
            {
                while (i < s.Length && s[i] != ']')
                    i++;
                if (i == s.Length)
                    return null;
            }
            i++;
            r.Append(s[start..i]);
        }
        return r.ToString();
    }
}
