using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;

namespace CreditFlows.Bench.Npl;

// Azurite's ceiling for the NPL job's table writes (scripts/bench.sh npl-probe [--entities 20000] [--in-flight 1,2,4,8,16] [--rounds 1]): entity-group
// transactions of 100 entities spread over 24 branch partitions, at 1-16 transactions in flight, for entities as
// wide as the ledger row (22 columns), as the history row (8) and a narrow one (3). Also single upserts. Prints
// entities per second; the first day's table time is its entities written divided by this rate.
public static class AzuriteTableProbe
{
    public static async Task<int> RunAsync(string storage, string[] args)
    {
        var i = Array.IndexOf(args, "--entities");
        var total = i >= 0 ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : 20_000;
        var f = Array.IndexOf(args, "--in-flight");
        var flights = (f >= 0 ? args[f + 1] : "1,2,4,8,16").Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        var tables = new TableServiceClient(storage);
        Console.WriteLine($"Azurite table probe: {total:N0} entities per case, 100 per transaction over 24 partitions, started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");
        var r = Array.IndexOf(args, "--rounds");
        var rounds = r >= 0 ? int.Parse(args[r + 1], CultureInfo.InvariantCulture) : 1;
        await CaseAsync(tables, "warm-up", Ledger, 4, 2_000);
        var cases = new (string, Func<string, int, TableEntity>)[]
        {
            ("ledger row (22 columns)", Ledger), ("ledger + opening (23)", LedgerOpening), ("ledger lean (21)", LedgerLean),
            ("ledger packed (5)", LedgerPacked), ("history row (8)", History), ("narrow (3)", Narrow),
        };
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (name, make) in cases)
            {
                foreach (var inFlight in flights)
                {
                    var rate = await CaseAsync(tables, name, make, inFlight, total);
                    Console.WriteLine($"  round {round}: {name,-24} {inFlight,2} in flight: {rate,7:N0} entities/s");
                }
            }
        }

        var single = Stopwatch.StartNew();
        var client = tables.GetTableClient("probe" + Guid.NewGuid().ToString("N")[..8]);
        await client.CreateAsync();
        var n = total / 4;
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (k, ct) => await client.UpsertEntityAsync(Ledger($"B{k % 24:00}", k), TableUpdateMode.Merge, ct));
        Console.WriteLine($"  ledger row, single upserts, 16 in flight: {n / single.Elapsed.TotalSeconds,7:N0} entities/s");
        await client.DeleteAsync();
        return 0;
    }

    private static async Task<double> CaseAsync(TableServiceClient tables, string name, Func<string, int, TableEntity> make, int inFlight, int total)
    {
        var client = tables.GetTableClient("probe" + Guid.NewGuid().ToString("N")[..8]);
        await client.CreateAsync();
        var batches = Enumerable.Range(0, total).GroupBy(k => k / 100).Select(g => g.Select(k => make($"B{g.Key % 24:00}", k)).ToList()).ToList();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = inFlight },
            async (batch, ct) => await client.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertMerge, e)), ct));
        watch.Stop();
        await client.DeleteAsync();
        return total / watch.Elapsed.TotalSeconds;
    }

    private static TableEntity Ledger(string partition, int k) => new(partition, $"l|LN{k:D10}")
    {
        ["LoanId"] = $"LN{k:D10}", ["Branch"] = partition, ["OfficerId"] = "lo-b01-03", ["BorrowerId"] = $"C{k:D9}", ["BorrowerName"] = "欧阳秀英",
        ["GroupId"] = string.Empty, ["Product"] = "FMC", ["GuaranteeType"] = "Credit", ["BalanceFen"] = 12_345_600L, ["OverdueAmountFen"] = 345_600L,
        ["OverdueSince"] = "2026-03-01", ["Restructured"] = false, ["RuleCategory"] = "Doubtful", ["Category"] = "Doubtful", ["InNpl"] = true,
        ["CuredOn"] = string.Empty, ["LeftBook"] = false, ["WrittenOn"] = "2026-11-21", ["FirstNplOn"] = "2026-11-21", ["LendingSource"] = "extract",
        ["ApplicationId"] = string.Empty, ["LendingResponsible"] = "[{\"userId\":\"lo-b01-03\",\"userName\":\"lo-b01-03\",\"duty\":\"Officer\",\"sharePercent\":100}]",
    };

    private static TableEntity LedgerOpening(string partition, int k)
    {
        var row = Ledger(partition, k);
        row["Opening"] = "{\"on\":\"2026-11-21\",\"to\":\"Doubtful\",\"ruleCategory\":\"Doubtful\",\"balanceFen\":12345600,\"daysOverdue\":265}";
        return row;
    }

    private static TableEntity LedgerLean(string partition, int k)
    {
        var row = LedgerOpening(partition, k);
        row.Remove("LoanId");
        row.Remove("Branch");
        return row;
    }

    // The same content with every column the list query does not filter on packed into one string.
    private static TableEntity LedgerPacked(string partition, int k)
    {
        var full = LedgerOpening(partition, k);
        var packed = string.Join('\u001f', full.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "InNpl" or "Category" or "WrittenOn" or "odata.etag"))
            .Select(p => $"{p.Key}={p.Value}"));
        return new TableEntity(partition, full.RowKey) { ["InNpl"] = true, ["Category"] = "Doubtful", ["WrittenOn"] = "2026-11-21", ["Job"] = packed };
    }

    private static TableEntity History(string partition, int k) => new(partition, $"h|LN{k:D10}|2026-11-21|daily")
    {
        ["Kind"] = "daily", ["Change"] = "Opening", ["On"] = "2026-11-21", ["From"] = string.Empty, ["To"] = "Doubtful", ["RuleCategory"] = "Doubtful",
        ["BalanceFen"] = 12_345_600L, ["DaysOverdue"] = 265,
    };

    private static TableEntity Narrow(string partition, int k) => new(partition, $"n|LN{k:D10}") { ["A"] = "Doubtful", ["B"] = 12_345_600L, ["C"] = "2026-11-21" };
}
