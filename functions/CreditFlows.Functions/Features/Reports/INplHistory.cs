using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Reports;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>
/// What the weekly report reads of the daily NPL job's output (issue 6). <see cref="TableNplHistory"/> reads it from
/// the job's storage; the benchmark feeds it from the synthetic generator. A branch of null is the union.
/// </summary>
public interface INplHistory
{
    /// <summary>The monitored days (a complete day summary) in [from, to], in order.</summary>
    Task<IReadOnlyList<DateOnly>> DaysAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken);

    /// <summary>The latest monitored day (a complete day summary) in [from, to], if any.</summary>
    Task<DateOnly?> LatestDayAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken);

    /// <summary>The earliest monitored day in [from, to], if any.</summary>
    Task<DateOnly?> FirstDayAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken);

    Task<DayTotals?> TotalsAsync(DateOnly date, string? branch, CancellationToken cancellationToken);

    /// <summary>Every branch's totals on a day.</summary>
    Task<IReadOnlyDictionary<string, DayTotals>> BranchTotalsAsync(DateOnly date, CancellationToken cancellationToken);

    /// <summary>The branches with a loan snapshot on a day, each with the number of shards it is stored in (empty without a complete run).</summary>
    Task<IReadOnlyDictionary<string, int>> SnapshotShardsAsync(DateOnly date, CancellationToken cancellationToken);

    /// <summary>
    /// A branch's end-of-day loan snapshot: its <paramref name="shards"/> shards, as <see cref="SnapshotShardsAsync"/> gave them,
    /// read whole but decoded only as far as a diff needs (the caller disposes it).
    /// </summary>
    Task<PackedSnapshot> SnapshotAsync(DateOnly date, string branch, int shards, CancellationToken cancellationToken);

    /// <summary>
    /// Each branch's NPL ledger as it stands: its loans in NPL and those that left NPL (cured or gone) on or after
    /// <paramref name="leftNplSince"/>. Every branch asked for is in the answer (an empty list when it has none).
    /// </summary>
    Task<IReadOnlyDictionary<string, List<LedgerLine>>> LedgersAsync(IReadOnlyCollection<string> branches, DateOnly leftNplSince, CancellationToken cancellationToken);

    /// <summary>The early warnings sent on days in [from, to], each with the branches it concerns (its recipients' branches).</summary>
    Task<IReadOnlyList<BranchWarning>> WarningsAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken);
}

/// <summary>An early warning and the branches whose people it went to: a branch's report lists those that concern it, the union's all.</summary>
public sealed record BranchWarning(WarningLine Warning, IReadOnlySet<string> Branches);
