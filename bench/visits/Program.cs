// SPDX-License-Identifier: MIT
// Benchmark app for a whole-tree walk (issue 14): the page visits of the article
// "Recreating .NET objects from a dump" (shared/seeds), COUNT Visit records queued for a
// consumer that never came, then waits to be dumped. Every 1000th visitor's login is
// "needle-<i>@contoso.com", for `grep -r needle-` to find.
namespace Bench
{
    public sealed class Visit
    {
        public DateTime Timestamp;
        public string LoginName = "";
        public string SiteCollectionUrl = "";
        public string VisitUrl = "";
        public int? PageLoadTime;
        public string? IP;
        public string? UserAgent;
        public Guid CorrelationId;
    }
}

static class Program
{
    static Queue<Bench.Visit>? s_mailbox;

    static int Main(string[] args)
    {
        if (args.Length != 2) { Console.Error.WriteLine("usage: visits COUNT READYFILE"); return 2; }
        int count = int.Parse(args[0]);
        var start = new DateTime(2017, 7, 1, 0, 0, 0, DateTimeKind.Utc);
        s_mailbox = new Queue<Bench.Visit>(count);
        for (int i = 0; i < count; i++)
        {
            s_mailbox.Enqueue(new Bench.Visit
            {
                Timestamp = start.AddSeconds(i * 97),
                LoginName = (i % 1000 == 0 ? "needle-" : "user") + i + "@contoso.com",
                SiteCollectionUrl = "https://contoso.sharepoint.com/sites/site" + (i % 50),
                VisitUrl = "https://contoso.sharepoint.com/sites/site" + (i % 50) + "/page" + (i % 400) + ".aspx",
                PageLoadTime = i % 7 == 0 ? null : 100 + i % 900,
                IP = "10.0." + (i / 256 % 256) + "." + (i % 256),
                UserAgent = i % 3 == 0 ? null : "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
                CorrelationId = new Guid(i, 0, 0, new byte[8]),
            });
        }
        GC.Collect(2, GCCollectionMode.Forced, true, true);
        File.WriteAllText(args[1], Environment.ProcessId.ToString());
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
