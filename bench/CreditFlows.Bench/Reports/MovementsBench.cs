using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Npl.Synthetic;
using CreditFlows.Domain.Reports;
using CreditFlows.Functions.Features.Npl;

namespace CreditFlows.Bench.Reports;

// The weekly movements alone, in memory (scripts/bench.sh is not needed: no storage):
//   dotnet run -c Release --project bench/CreditFlows.Bench -- movements [--loans 1000000] [--branches 100] [--reps 5] [--shard-size 50000]
// Seeding (not timed): the reports benchmark's book (ExtractGenerator, last Sunday and seven NextDay steps on), each branch
// classified by DailyClassification, split into shards by NplStorage.ShardOf and gzip-encoded as NplShardWorker writes its
// snapshot blobs, kept as bytes. Measured, old and new taking turns `reps` times each: every branch's two snapshots read from
// those bytes and diffed, 4 branches at a time as the assembler does on 2 cores. Old: gunzip into a MemoryStream, decode
// every loan (LoanCodec.ReadSnapshots through an IAsyncEnumerable), a Dictionary of the start, WeekMovements.Add over them;
// the report did this until the packed snapshots. New: PackedSnapshot and WeekMovements.Add over them, as the report does
// now. The two unions are compared. CPU is this process's (Process.TotalProcessorTime), allocation GC.GetTotalAllocatedBytes.
public static class MovementsBench
{
    private static readonly DateOnly LastWeek = new(2026, 11, 15);
    private static readonly DateOnly ThisWeek = new(2026, 11, 22);
    private static readonly int Concurrency = Math.Max(4, 2 * Environment.ProcessorCount); // WeeklyReportAssembler.ReadConcurrency

    public static async Task<int> RunAsync(string[] args)
    {
        var loans = int.Parse(Arg(args, "--loans", "1000000"), CultureInfo.InvariantCulture);
        var branchCount = int.Parse(Arg(args, "--branches", "100"), CultureInfo.InvariantCulture);
        var reps = int.Parse(Arg(args, "--reps", "5"), CultureInfo.InvariantCulture);
        var shardSize = int.Parse(Arg(args, "--shard-size", "50000"), CultureInfo.InvariantCulture);
        Console.WriteLine($"Weekly movements, in memory: {loans:N0} loans, {branchCount} branches, shards of {shardSize:N0}, {reps} repetitions each, {Concurrency} branches at a time");
        Console.WriteLine($"{RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} logical cores, " +
            $"server GC {GCSettings.IsServerGC}, started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");

        var seed = Stopwatch.StartNew();
        var options = new GeneratorOptions(loans, LastWeek, Branches: branchCount, OfficersPerBranch: 12);
        var before = Seed(LastWeek, ExtractGenerator.Generate(options), shardSize, null);
        IEnumerable<LoanRecord> book = ExtractGenerator.Generate(options);
        for (var day = LastWeek.AddDays(1); day <= ThisWeek; day = day.AddDays(1))
        {
            book = ExtractGenerator.NextDay(book, options, day);
        }

        var after = Seed(ThisWeek, book, shardSize, before);
        var branches = before.Keys.Union(after.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var blobs = before.Values.Concat(after.Values).SelectMany(b => b).ToList();
        Console.WriteLine($"Seeded in {seed.Elapsed.TotalSeconds:0} s (not timed): {blobs.Count} snapshot blobs, {blobs.Sum(b => (long)b.Length) / 1048576.0:0.0} MiB gzip.");

        var oldUnion = Union(await OldAsync(branches, before, after), branches);
        var newUnion = Union(await NewAsync(branches, before, after), branches);
        var same = Same(oldUnion, newUnion);
        Console.WriteLine($"Same union from both (counts, balances, lists in order): {(same ? "yes" : "NO")}; " +
            $"{oldUnion.Counts.Cast<long>().Sum():N0} loans counted, new NPLs {oldUnion.NewNpls.Count:N0}, cures {oldUnion.Cures.Count:N0}, recoveries {oldUnion.Recoveries.Count:N0}.");
        Console.WriteLine();
        Console.WriteLine("| Rep | Diff | Wall (s) | CPU (s) | Allocated (MiB) | Gen0/1/2 GCs | Load |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---|");
        var cpu = new Dictionary<string, List<double>> { ["old"] = [], ["new"] = [] };
        var allocated = new Dictionary<string, List<double>> { ["old"] = [], ["new"] = [] };
        for (var rep = 1; rep <= reps; rep++)
        {
            foreach (var (name, run) in new (string, Func<Task>)[] { ("old", () => OldAsync(branches, before, after)), ("new", () => NewAsync(branches, before, after)) })
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                var gcs = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                var bytes = GC.GetTotalAllocatedBytes(precise: true);
                var processor = Process.GetCurrentProcess().TotalProcessorTime;
                var wall = Stopwatch.StartNew();
                await run();
                wall.Stop();
                var used = (Process.GetCurrentProcess().TotalProcessorTime - processor).TotalSeconds;
                var mib = (GC.GetTotalAllocatedBytes(precise: true) - bytes) / 1048576.0;
                cpu[name].Add(used);
                allocated[name].Add(mib);
                var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "-";
                Console.WriteLine($"| {rep} | {name} | {wall.Elapsed.TotalSeconds:0.00} | {used:0.00} | {mib:N0} | " +
                    $"{GC.CollectionCount(0) - gcs.Item1}/{GC.CollectionCount(1) - gcs.Item2}/{GC.CollectionCount(2) - gcs.Item3} | {load} |");
            }
        }

        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        Console.WriteLine();
        Console.WriteLine($"Median CPU: old {Median(cpu["old"]):0.00} s, new {Median(cpu["new"]):0.00} s, old/new {Median(cpu["old"]) / Median(cpu["new"]):0.0}×; " +
            $"allocated: old {Median(allocated["old"]):N0} MiB, new {Median(allocated["new"]):N0} MiB.");
        return same ? 0 : 1;
    }

    /// <summary>Each branch's snapshot blobs on a day, as the job leaves them (the shard count by branch size, as NplDayPreparer).</summary>
    private static Dictionary<string, List<byte[]>> Seed(DateOnly day, IEnumerable<LoanRecord> book, int shardSize, Dictionary<string, List<byte[]>>? baseline)
    {
        var blobs = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal);
        foreach (var branch in book.GroupBy(l => l.Branch.Value, StringComparer.Ordinal))
        {
            var loans = branch.ToList();
            var yesterday = baseline is not null && baseline.TryGetValue(branch.Key, out var b)
                ? b.SelectMany(Decode).ToDictionary(s => s.LoanId, StringComparer.Ordinal)
                : null;
            var count = (loans.Count + shardSize - 1) / shardSize;
            blobs[branch.Key] = [.. Enumerable.Range(0, count).Select(shard => Pack(DailyClassification.Run(day, branch.Key, ClassificationPolicy.Default,
                loans.Where(l => NplStorage.ShardOf(l.LoanId, count) == shard), yesterday, new Dictionary<string, LoanOverride>(),
                l => LendingResponsibility.ExtractOfficer(l.OfficerId)).Snapshot))];
        }

        return blobs;
    }

    /// <summary>A snapshot blob as NplShardWorker.WriteSnapshotAsync writes it.</summary>
    private static byte[] Pack(List<LoanSnapshot> snapshot)
    {
        using var packed = new MemoryStream();
        using (var zip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        using (var buffered = new BufferedStream(zip, 1 << 16))
        using (var writer = new BinaryWriter(buffered, Encoding.UTF8, leaveOpen: true))
        {
            LoanCodec.WriteHeader(writer, snapshot: true);
            foreach (var loan in snapshot)
            {
                LoanCodec.Write(writer, loan);
            }

            LoanCodec.WriteEnd(writer);
        }

        return packed.ToArray();
    }

    private static List<LoanSnapshot> Decode(byte[] blob) =>
        [.. LoanCodec.ReadSnapshots(new GZipStream(new MemoryStream(blob), CompressionMode.Decompress))];

    /// <summary>The diff as the report made it before packed snapshots: TableNplHistory's old SnapshotAsync over the bytes, the assembler's old loop.</summary>
    private static async Task<Dictionary<string, WeekMovements>> OldAsync(List<string> branches, Dictionary<string, List<byte[]>> start, Dictionary<string, List<byte[]>> end)
    {
        var movements = new Dictionary<string, WeekMovements>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(branches, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (branch, ct) =>
        {
            var before = new Dictionary<string, LoanSnapshot>(StringComparer.Ordinal);
            await foreach (var loan in OldSnapshotAsync(start.GetValueOrDefault(branch) ?? [], ct))
            {
                before[loan.LoanId] = loan;
            }

            var after = new List<LoanSnapshot>();
            await foreach (var loan in OldSnapshotAsync(end.GetValueOrDefault(branch) ?? [], ct))
            {
                after.Add(loan);
            }

            var moves = new WeekMovements();
            moves.Add(branch, before, after);
            lock (movements)
            {
                movements[branch] = moves;
            }
        });
        return movements;
    }

    private static async IAsyncEnumerable<LoanSnapshot> OldSnapshotAsync(List<byte[]> shards, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var shard in shards)
        {
            await using var stream = new MemoryStream(shard);
            await using var gzip = new GZipStream(stream, CompressionMode.Decompress);
            using var buffer = new MemoryStream();
            await gzip.CopyToAsync(buffer, cancellationToken);
            buffer.Position = 0;
            foreach (var loan in LoanCodec.ReadSnapshots(buffer))
            {
                yield return loan;
            }
        }
    }

    /// <summary>The diff as the report makes it now: TableNplHistory.SnapshotAsync's PackedSnapshot over the bytes, the assembler's loop.</summary>
    private static async Task<Dictionary<string, WeekMovements>> NewAsync(List<string> branches, Dictionary<string, List<byte[]>> start, Dictionary<string, List<byte[]>> end)
    {
        var movements = new Dictionary<string, WeekMovements>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(branches, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (branch, ct) =>
        {
            using var before = await PackedAsync(start.GetValueOrDefault(branch) ?? [], ct);
            using var after = await PackedAsync(end.GetValueOrDefault(branch) ?? [], ct);
            var moves = new WeekMovements();
            moves.Add(branch, before, after);
            lock (movements)
            {
                movements[branch] = moves;
            }
        });
        return movements;
    }

    private static async Task<PackedSnapshot> PackedAsync(List<byte[]> shards, CancellationToken cancellationToken)
    {
        var snapshot = new PackedSnapshot();
        foreach (var shard in shards)
        {
            await snapshot.AddShardAsync(new MemoryStream(shard), cancellationToken);
        }

        return snapshot;
    }

    private static WeekMovements Union(Dictionary<string, WeekMovements> movements, List<string> branches)
    {
        var union = new WeekMovements();
        foreach (var branch in branches)
        {
            union.Merge(movements[branch]);
        }

        return union;
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static bool Same(WeekMovements a, WeekMovements b) =>
        a.Counts.Cast<long>().SequenceEqual(b.Counts.Cast<long>()) && a.BalancesFen.Cast<long>().SequenceEqual(b.BalancesFen.Cast<long>())
        && a.NewNpls.SequenceEqual(b.NewNpls) && a.Cures.SequenceEqual(b.Cures) && a.Recoveries.SequenceEqual(b.Recoveries);
}
