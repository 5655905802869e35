using CreditFlows.Domain.Npl;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// Settings of section <c>Npl</c> (<c>Npl__SubstandardAfterDays=90</c> …), validated at start. The classification,
/// ledger and warning thresholds here are only the baseline (<see cref="ToNplThresholds"/>): HQ changes them through
/// maker-checker (kind <c>classification</c>), and the job and the views read them from <see cref="NplThresholdsSource"/>.
/// </summary>
public sealed class NplOptions
{
    public const string Section = "Npl";

    /// <summary>NCRONTAB schedule of <c>NplDailyMonitor</c> (UTC), referenced as <c>%Npl__Schedule%</c> in its function.json.</summary>
    public string Schedule { get; set; } = "0 30 18 * * *";

    /// <summary>Queue of day runs (<c>NplPrepareDay</c>), referenced as <c>%Npl__DayQueue%</c>.</summary>
    public string DayQueue { get; set; } = "npl-days";

    /// <summary>Queue of branch shards (<c>NplShard</c>), referenced as <c>%Npl__ShardQueue%</c>.</summary>
    public string ShardQueue { get; set; } = "npl-shards";

    /// <summary>Container core banking drops <c>{yyyy-MM-dd}.csv</c> (or <c>.csv.gz</c>) into; rejects files go beside.</summary>
    public string ExtractContainer { get; set; } = "loan-book";

    /// <summary>Container of the job's staging, snapshots, aggregates and summaries.</summary>
    public string DataContainer { get; set; } = "npl";

    /// <summary>Prefix of the NPL tables: {Prefix}Ledger, Runs, Summaries, Alerts, LedgerEdits.</summary>
    public string TablePrefix { get; set; } = "Npl";

    /// <summary>The run on business day D reads the extract of D minus this many days.</summary>
    public int ExtractLagDays { get; set; } = 1;

    /// <summary>How long to wait before looking again for a missing extract.</summary>
    public TimeSpan RetryEvery { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Local time of day (business time zone) after which a missing extract is given up for the day.</summary>
    public TimeOnly RetryUntil { get; set; } = new(20, 0);

    /// <summary>More than this share of malformed rows rejects the whole day.</summary>
    public double MaxRejectShare { get; set; } = 0.05;

    /// <summary>Largest number of loans one shard message carries; a bigger branch is split.</summary>
    public int ShardSize { get; set; } = 50_000;

    /// <summary>Table transactions a shard keeps in flight.</summary>
    public int WriteConcurrency { get; set; } = 8;

    public int SpecialMentionAfterDays { get; set; } = 0;

    public int SubstandardAfterDays { get; set; } = 90;

    public int DoubtfulAfterDays { get; set; } = 270;

    public int LossAfterDays { get; set; } = 360;

    public LoanCategory RestructuredFloor { get; set; } = LoanCategory.Substandard;

    public int LitigationAfterDays { get; set; } = 180;

    public int InspectionEveryDays { get; set; } = 30;

    public decimal OverdueRiseShare { get; set; } = 0.20m;

    public decimal BranchNplRatio { get; set; } = 0.05m;

    /// <summary>Yuan.</summary>
    public decimal OfficerNplBalance { get; set; } = 1_000_000m;

    /// <summary>Yuan.</summary>
    public decimal NewNplAmount { get; set; } = 500_000m;

    public ClassificationPolicy ToPolicy() => new(SpecialMentionAfterDays, SubstandardAfterDays, DoubtfulAfterDays, LossAfterDays, RestructuredFloor);

    public NplRules ToRules() => new(LitigationAfterDays, InspectionEveryDays);

    public WarningThresholds ToThresholds() =>
        new(OverdueRiseShare, BranchNplRatio, (long)(OfficerNplBalance * 100m), (long)(NewNplAmount * 100m));

    public NplThresholds ToNplThresholds() => new(ToPolicy(), ToRules(), ToThresholds());

    public IEnumerable<string> Problems()
    {
        foreach (var (field, problem) in ToPolicy().Problems())
        {
            yield return $"Npl:{field} {problem}";
        }

        foreach (var (name, value) in new[] { (nameof(DayQueue), DayQueue), (nameof(ShardQueue), ShardQueue), (nameof(ExtractContainer), ExtractContainer), (nameof(DataContainer), DataContainer) })
        {
            if (string.IsNullOrWhiteSpace(value) || value.Length is < 3 or > 63 || value.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
            {
                yield return $"Npl:{name} must be a queue or container name (3-63 lower-case letters, digits, '-').";
            }
        }

        if (string.IsNullOrEmpty(TablePrefix) || TablePrefix.Length > 40 || !char.IsAsciiLetter(TablePrefix[0]) || !TablePrefix.All(char.IsAsciiLetterOrDigit))
        {
            yield return "Npl:TablePrefix must be 1-40 letters or digits, starting with a letter.";
        }

        if (string.IsNullOrWhiteSpace(Schedule))
        {
            yield return "Npl:Schedule is required (an NCRONTAB expression, UTC).";
        }

        if (ExtractLagDays is < 0 or > 7)
        {
            yield return "Npl:ExtractLagDays must be 0-7.";
        }

        if (RetryEvery < TimeSpan.FromSeconds(1) || RetryEvery > TimeSpan.FromHours(12))
        {
            yield return "Npl:RetryEvery must be between 00:00:01 and 12:00:00.";
        }

        if (MaxRejectShare is < 0 or > 1)
        {
            yield return "Npl:MaxRejectShare must be between 0 and 1.";
        }

        if (ShardSize is < 100 or > 1_000_000)
        {
            yield return "Npl:ShardSize must be 100-1000000.";
        }

        if (WriteConcurrency is < 1 or > 64)
        {
            yield return "Npl:WriteConcurrency must be 1-64.";
        }

        if (LitigationAfterDays is < 1 or > 3650 || InspectionEveryDays is < 1 or > 365)
        {
            yield return "Npl:LitigationAfterDays (1-3650) and Npl:InspectionEveryDays (1-365) are out of range.";
        }

        if (OverdueRiseShare <= 0 || BranchNplRatio is <= 0 or >= 1 || OfficerNplBalance <= 0 || NewNplAmount <= 0)
        {
            yield return "Npl:OverdueRiseShare, BranchNplRatio (below 1), OfficerNplBalance and NewNplAmount must be positive.";
        }
    }
}
