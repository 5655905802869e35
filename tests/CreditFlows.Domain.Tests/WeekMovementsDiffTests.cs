using System.IO.Compression;
using System.Text;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Npl.Synthetic;
using CreditFlows.Domain.Reports;

namespace CreditFlows.Domain.Tests;

/// <summary>
/// The weekly diff over packed snapshots (<see cref="PackedSnapshot"/>, joined by id bytes) gives exactly what the
/// straightforward diff gives over the same blobs decoded with <see cref="LoanCodec.ReadSnapshots"/> into a dictionary:
/// the same counts and balances, and the same lists in the same order with the same loans.
/// </summary>
public class WeekMovementsDiffTests
{
    private static readonly DateOnly LastWeek = new(2026, 11, 15);
    private static readonly DateOnly ThisWeek = new(2026, 11, 22);

    /// <summary>Shards per branch on each day: B01 grows from 1 to 3, B03 shrinks from 3 to 1, B04 is new, B05 closed.</summary>
    private static readonly Dictionary<string, (int Before, int After)> Shards = new()
    {
        ["B01"] = (1, 3), ["B02"] = (2, 2), ["B03"] = (3, 1), ["B04"] = (0, 1), ["B05"] = (1, 0),
    };

    [Fact]
    public async Task Packed_diff_of_a_generated_week_equals_the_dictionary_diff()
    {
        var options = new GeneratorOptions(30_000, LastWeek, Branches: 5, OfficersPerBranch: 6);
        var lastWeek = ExtractGenerator.Generate(options).ToList();
        IEnumerable<LoanRecord> book = lastWeek;
        for (var day = LastWeek.AddDays(1); day <= ThisWeek; day = day.AddDays(1))
        {
            book = ExtractGenerator.NextDay(book, options, day);
        }

        var thisWeek = book.ToList();
        var oldUnion = new WeekMovements();
        var newUnion = new WeekMovements();
        foreach (var (branch, (before, after)) in Shards)
        {
            var start = Classify(LastWeek, branch, lastWeek, null);
            var end = Classify(ThisWeek, branch, thisWeek, start.ToDictionary(s => s.LoanId, StringComparer.Ordinal));
            var startBlobs = Blobs(start, before);
            var endBlobs = Blobs(end, after);

            var expected = new WeekMovements();
            var decoded = Decoded(startBlobs);
            expected.Add(branch, decoded.ToDictionary(s => s.LoanId, StringComparer.Ordinal), Decoded(endBlobs));
            oldUnion.Add(branch, decoded.ToDictionary(s => s.LoanId, StringComparer.Ordinal), Decoded(endBlobs));
            var actual = new WeekMovements();
            using (var packedStart = await PackedAsync(startBlobs))
            using (var packedEnd = await PackedAsync(endBlobs))
            {
                actual.Add(branch, packedStart, packedEnd);
                newUnion.Add(branch, packedStart, packedEnd);
            }

            AssertSame(expected, actual);
        }

        AssertSame(oldUnion, newUnion);

        // The week has every kind of movement the diff tells apart.
        Assert.NotEmpty(oldUnion.NewNpls);
        Assert.NotEmpty(oldUnion.Cures);
        Assert.Contains(oldUnion.Recoveries, r => r.To is null);            // an NPL gone from the book
        Assert.Contains(oldUnion.Recoveries, r => r.To is not null);        // an NPL partly repaid
        Assert.True(oldUnion.Counts[0, (int)LoanCategory.Normal] > 1_000);  // new loans, B04's all of them
        Assert.True(oldUnion.Counts[(int)LoanCategory.Normal, 0] > 1_000);  // gone, B05's all of them
    }

    [Fact]
    public async Task A_loan_id_written_twice_diffs_as_through_the_dictionary()
    {
        LoanSnapshot Snap(string id, LoanCategory category, long fen, string name) =>
            new(id, "lo-1", "C-" + id, name, string.Empty, "FMC", GuaranteeType.Credit, fen, 0, null, 0, false, category, category, null);

        // The dictionary keeps the last of a repeated start loan in the place of the first; the end's repeats count twice.
        LoanSnapshot[] start = [Snap("A", LoanCategory.Loss, 500, "first"), Snap("B", LoanCategory.Doubtful, 300, "b"), Snap("A", LoanCategory.Doubtful, 700, "last"),
            Snap("C", LoanCategory.Loss, 100, "c"), Snap("C", LoanCategory.Normal, 90, "c2"), Snap("D", LoanCategory.Substandard, 50, "d")];
        LoanSnapshot[] end = [Snap("B", LoanCategory.Doubtful, 200, "b"), Snap("B", LoanCategory.Normal, 200, "b"), Snap("E", LoanCategory.Loss, 10, "e")];

        var expected = new WeekMovements();
        expected.Add("B01", start.GroupBy(s => s.LoanId).ToDictionary(g => g.Key, g => g.Last()), end);
        var actual = new WeekMovements();
        using var packedStart = await PackedAsync(Blobs(start, 1));
        using var packedEnd = await PackedAsync(Blobs(end, 1));
        actual.Add("B01", packedStart, packedEnd);

        AssertSame(expected, actual);
        Assert.Equal(["A", "D"], actual.Recoveries.Where(r => r.To is null).Select(r => r.LoanId));
        Assert.Equal("last", actual.Recoveries.First(r => r.LoanId == "A").BorrowerName);
    }

    [Fact]
    public async Task Packed_snapshots_read_blobs_as_the_codec_does()
    {
        using var empty = await PackedAsync([[]]);
        Assert.Equal(0, empty.Count);

        var loans = Classify(ThisWeek, "B01", ExtractGenerator.Generate(new GeneratorOptions(2_000, ThisWeek, Branches: 1)).ToList(), null);
        using var packed = await PackedAsync(Blobs(loans, 3));
        Assert.Equal(Decoded(Blobs(loans, 3)), Enumerable.Range(0, packed.Count).Select(packed.Loan));
        Assert.Equal(loans.Select(l => l.LoanId).Order(StringComparer.Ordinal),
            Enumerable.Range(0, packed.Count).Select(i => Encoding.UTF8.GetString(packed.LoanIdUtf8(i))).Order(StringComparer.Ordinal));

        var unknownVersion = Gzip([2, 0]);
        using var refused = new PackedSnapshot();
        await Assert.ThrowsAsync<InvalidDataException>(() => refused.AddShardAsync(new MemoryStream(unknownVersion), CancellationToken.None));
        var cut = Blobs(loans, 1)[0];
        using var truncated = new PackedSnapshot();
        await Assert.ThrowsAsync<EndOfStreamException>(() => truncated.AddShardAsync(new MemoryStream(Gzip(Gunzip(cut)[..^20])), CancellationToken.None));
    }

    private static List<LoanSnapshot> Classify(DateOnly day, string branch, IEnumerable<LoanRecord> book, IReadOnlyDictionary<string, LoanSnapshot>? baseline) =>
        DailyClassification.Run(day, branch, ClassificationPolicy.Default, book.Where(l => l.Branch.Value == branch), baseline,
            new Dictionary<string, LoanOverride>(), l => LendingResponsibility.ExtractOfficer(l.OfficerId)).Snapshot;

    /// <summary>The branch's snapshot blobs as the daily job writes them: split by a hash of the loan id, each gzip of the codec's encoding.</summary>
    private static List<byte[]> Blobs(IReadOnlyList<LoanSnapshot> loans, int shards) =>
        [.. Enumerable.Range(0, shards).Select(shard =>
        {
            using var packed = new MemoryStream();
            using (var zip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            using (var writer = new BinaryWriter(zip, Encoding.UTF8, leaveOpen: true))
            {
                LoanCodec.WriteHeader(writer, snapshot: true);
                foreach (var loan in loans.Where(l => ShardOf(l.LoanId, shards) == shard))
                {
                    LoanCodec.Write(writer, loan);
                }

                LoanCodec.WriteEnd(writer);
            }

            return packed.ToArray();
        })];

    /// <summary>FNV-1a of the id modulo the count, as the job's NplStorage.ShardOf.</summary>
    private static int ShardOf(string loanId, int count)
    {
        var hash = 2166136261u;
        foreach (var c in loanId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)count);
    }

    private static List<LoanSnapshot> Decoded(IEnumerable<byte[]> blobs) =>
        [.. blobs.SelectMany(blob => LoanCodec.ReadSnapshots(new GZipStream(new MemoryStream(blob), CompressionMode.Decompress)).ToList())];

    private static async Task<PackedSnapshot> PackedAsync(IEnumerable<byte[]> blobs)
    {
        var snapshot = new PackedSnapshot();
        foreach (var blob in blobs)
        {
            await snapshot.AddShardAsync(new MemoryStream(blob), CancellationToken.None);
        }

        return snapshot;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var packed = new MemoryStream();
        using (var zip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            zip.Write(bytes);
        }

        return packed.ToArray();
    }

    private static byte[] Gunzip(byte[] blob)
    {
        using var plain = new MemoryStream();
        using (var zip = new GZipStream(new MemoryStream(blob), CompressionMode.Decompress))
        {
            zip.CopyTo(plain);
        }

        return plain.ToArray();
    }

    private static void AssertSame(WeekMovements expected, WeekMovements actual)
    {
        Assert.Equal(expected.Counts.Cast<long>(), actual.Counts.Cast<long>());
        Assert.Equal(expected.BalancesFen.Cast<long>(), actual.BalancesFen.Cast<long>());
        Assert.Equal(expected.NewNpls, actual.NewNpls);
        Assert.Equal(expected.Cures, actual.Cures);
        Assert.Equal(expected.Recoveries, actual.Recoveries);
    }
}
