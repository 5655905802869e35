using Azure.Data.Tables;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Bench;

/// <summary>One event row as stored: its row key, sequence number and command.</summary>
public sealed record StoredEvent(string RowKey, int Sequence, string Command);

/// <summary>What the check found for some applications. Every count must be 0.</summary>
public sealed record IntegrityResult(int Applications, int Events, int Lost, int Doubled, int SequenceErrors, int StateErrors)
{
    public static readonly IntegrityResult Empty = new(0, 0, 0, 0, 0, 0);

    public bool Clean => Lost == 0 && Doubled == 0 && SequenceErrors == 0 && StateErrors == 0;

    public IntegrityResult Plus(IntegrityResult other) => new(
        Applications + other.Applications, Events + other.Events, Lost + other.Lost, Doubled + other.Doubled,
        SequenceErrors + other.SequenceErrors, StateErrors + other.StateErrors);
}

/// <summary>
/// The check over the event logs: every transition the client was told was stored is in the log exactly once,
/// nothing else is; sequences are exactly 1..N in row-key order; the state row's version is N and its state
/// is the one the flow ends in.
/// </summary>
public static class Integrity
{
    /// <summary>
    /// Compares one application's log with what the client saw acknowledged. Lost: an acknowledged transition
    /// missing from the log. Doubled: a transition in the log more often than it was acknowledged (or never).
    /// </summary>
    public static IntegrityResult Check(IReadOnlyList<string> acknowledged, IReadOnlyList<StoredEvent> events, int? stateVersion, string? state, string? expectedState)
    {
        int lost = 0, doubled = 0, sequenceErrors = 0, stateErrors = 0;
        var ordered = events.OrderBy(e => e.RowKey, StringComparer.Ordinal).ToList();
        for (var n = 0; n < ordered.Count; n++)
        {
            if (ordered[n].Sequence != n + 1 || ordered[n].RowKey != $"{ApplicationStore.EventPrefix}{n + 1:D6}")
            {
                sequenceErrors++;
            }
        }

        var seen = ordered.GroupBy(e => e.Command, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var told = acknowledged.GroupBy(c => c, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var command in seen.Keys.Union(told.Keys))
        {
            var inLog = seen.GetValueOrDefault(command);
            var acked = told.GetValueOrDefault(command);
            lost += Math.Max(0, acked - inLog);
            doubled += Math.Max(0, inLog - acked);
        }

        if (lost == 0 && doubled == 0 && !ordered.Select(e => e.Command).SequenceEqual(acknowledged, StringComparer.Ordinal))
        {
            sequenceErrors++;
        }

        if (stateVersion != acknowledged.Count || stateVersion != ordered.Count || (expectedState is not null && state != expectedState))
        {
            stateErrors++;
        }

        return new IntegrityResult(1, ordered.Count, lost, doubled, sequenceErrors, stateErrors);
    }

    /// <summary>Makes sure <see cref="Check"/> notices what it is there to notice, before it is trusted with a run.</summary>
    public static void SelfTest()
    {
        string[] flow = ["open", "submit", "review.pass"];
        static StoredEvent E(int n, string c) => new($"{ApplicationStore.EventPrefix}{n:D6}", n, c);
        StoredEvent[] clean = [E(1, "open"), E(2, "submit"), E(3, "review.pass")];
        Expect(Check(flow, clean, 3, "Authorisation", "Authorisation"), new(1, 3, 0, 0, 0, 0), "a clean log");
        Expect(Check(flow, [E(1, "open"), E(3, "review.pass")], 3, "Authorisation", "Authorisation"), new(1, 2, 1, 0, 1, 1), "a lost transition");
        Expect(Check(flow, [.. clean, E(4, "submit")], 4, "Authorisation", "Authorisation"), new(1, 4, 0, 1, 0, 1), "a doubled transition");
        Expect(Check(flow, [E(1, "open"), E(2, "review.pass"), E(3, "submit")], 3, "Authorisation", "Authorisation"), new(1, 3, 0, 0, 1, 0), "an out-of-order log");
        Expect(Check(flow, clean, 3, "Review", "Authorisation"), new(1, 3, 0, 0, 0, 1), "a wrong final state");

        static void Expect(IntegrityResult actual, IntegrityResult expected, string what)
        {
            if (actual != expected)
            {
                throw new InvalidOperationException($"The integrity check is wrong on {what}: {actual}, expected {expected}.");
            }
        }
    }

    /// <summary>Reads every application's event rows and state row and checks them against what the clients saw.</summary>
    public static async Task<(IntegrityResult Result, List<string> Problems)> CheckStoredAsync(TableServiceClient tables, IEnumerable<(AppRecord Record, string? ExpectedState)> apps)
    {
        var table = tables.GetTableClient(StorageNames.Tables.Applications);
        var total = IntegrityResult.Empty;
        var problems = new List<string>();
        var gate = new Lock();
        await Parallel.ForEachAsync(apps.Where(a => a.Record.Id is not null), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (app, cancellationToken) =>
        {
            var id = app.Record.Id!;
            var events = new List<StoredEvent>();
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {id} and RowKey ge {ApplicationStore.EventPrefix} and RowKey lt {"event."}");
            await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Sequence", "Command"], cancellationToken: cancellationToken))
            {
                events.Add(new StoredEvent(row.RowKey, row.GetInt32("Sequence") ?? -1, row.GetString("Command") ?? ""));
            }

            var state = await table.GetEntityIfExistsAsync<TableEntity>(id, ApplicationStore.StateRow, ["Version", "State"], cancellationToken);
            var result = Check(app.Record.Acknowledged, events, state.HasValue ? state.Value!.GetInt32("Version") : null,
                state.HasValue ? state.Value!.GetString("State") : null, app.ExpectedState);
            lock (gate)
            {
                total = total.Plus(result);
                if (!result.Clean && problems.Count < 20)
                {
                    problems.Add($"{id}: acknowledged [{string.Join(", ", app.Record.Acknowledged)}], log [{string.Join(", ", events.Select(e => $"{e.Sequence}:{e.Command}"))}], " +
                        $"state row version {(state.HasValue ? state.Value!.GetInt32("Version") : null)} {(state.HasValue ? state.Value!.GetString("State") : "missing")}");
                }
            }
        });
        return (total, problems);
    }
}
