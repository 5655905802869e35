using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Npl;

namespace CreditFlows.Domain.Authority;

/// <summary>
/// The NPL thresholds HQ administers through maker-checker (kind <c>classification</c>): the five-category day
/// limits (a loan overdue <b>more than</b> a limit is at least that category) and the restructured floor, the
/// ledger's litigation and inspection rules, and the early-warning thresholds (amounts in yuan). A version is
/// complete: it states every value. The names are those of the app settings (section <c>Npl</c>) they replace.
/// </summary>
public sealed record ClassificationSettings(
    int? SpecialMentionAfterDays,
    int? SubstandardAfterDays,
    int? DoubtfulAfterDays,
    int? LossAfterDays,
    LoanCategory? RestructuredFloor,
    int? LitigationAfterDays,
    int? InspectionEveryDays,
    decimal? OverdueRiseShare,
    decimal? BranchNplRatio,
    decimal? OfficerNplBalance,
    decimal? NewNplAmount)
{
    public const string Kind = "classification";

    /// <summary>Largest amount threshold accepted, in yuan.</summary>
    public const decimal MaxAmount = 100_000_000_000m;

    public static ClassificationSettings From(NplThresholds thresholds) => new(
        thresholds.Classification.SpecialMentionAfterDays, thresholds.Classification.SubstandardAfterDays,
        thresholds.Classification.DoubtfulAfterDays, thresholds.Classification.LossAfterDays, thresholds.Classification.RestructuredFloor,
        thresholds.Rules.LitigationAfterDays, thresholds.Rules.InspectionEveryDays,
        thresholds.Warnings.OverdueRiseShare, thresholds.Warnings.BranchNplRatio,
        thresholds.Warnings.OfficerNplBalanceFen / 100m, thresholds.Warnings.NewNplAmountFen / 100m);

    /// <summary>Every problem, each naming its field; empty when the settings can be used.</summary>
    public IReadOnlyList<FieldProblem> Problems()
    {
        var problems = new List<FieldProblem>();
        ClassificationDays(problems);

        if (RestructuredFloor is not { } floor || !Enum.IsDefined(floor))
        {
            problems.Add(new("restructuredFloor", "is required: the least category of a restructured loan, one of Normal, SpecialMention, Substandard, Doubtful, Loss."));
        }

        if (LitigationAfterDays is not (>= 1 and <= ClassificationPolicy.MaxDays))
        {
            problems.Add(new("litigationAfterDays", $"is required: 1 to {ClassificationPolicy.MaxDays} days overdue, from which an NPL without litigation is flagged."));
        }

        if (InspectionEveryDays is not (>= 1 and <= 365))
        {
            problems.Add(new("inspectionEveryDays", "is required: 1 to 365 days between inspections of an NPL."));
        }

        if (OverdueRiseShare is not (> 0m and <= 10m))
        {
            problems.Add(new("overdueRiseShare", "is required: more than 0, at most 10 (a share: 0.2 is a 20% rise of a branch's overdue balance in a week)."));
        }

        if (BranchNplRatio is not (> 0m and < 1m))
        {
            problems.Add(new("branchNplRatio", "is required: between 0 and 1 (exclusive), the NPL ratio above which a branch is warned."));
        }

        Amount(problems, "officerNplBalance", OfficerNplBalance, "the responsibility NPL balance above which an officer is flagged to HQ");
        Amount(problems, "newNplAmount", NewNplAmount, "the balance from which a new NPL is notified the same day");
        return problems;
    }

    /// <summary>The thresholds with these settings in place of <paramref name="baseline"/>'s (call only when <see cref="Problems"/> is empty).</summary>
    public NplThresholds ApplyTo(NplThresholds baseline) => baseline with
    {
        Classification = new ClassificationPolicy(SpecialMentionAfterDays!.Value, SubstandardAfterDays!.Value, DoubtfulAfterDays!.Value, LossAfterDays!.Value, RestructuredFloor!.Value),
        Rules = new NplRules(LitigationAfterDays!.Value, InspectionEveryDays!.Value),
        Warnings = new WarningThresholds(OverdueRiseShare!.Value, BranchNplRatio!.Value, (long)(OfficerNplBalance!.Value * 100m), (long)(NewNplAmount!.Value * 100m)),
    };

    /// <summary>Each limit is required; each must be more than the one before (special mention from 0, loss at most ten years).</summary>
    private void ClassificationDays(List<FieldProblem> problems)
    {
        var limits = new (string Field, int? Days)[]
        {
            ("specialMentionAfterDays", SpecialMentionAfterDays), ("substandardAfterDays", SubstandardAfterDays),
            ("doubtfulAfterDays", DoubtfulAfterDays), ("lossAfterDays", LossAfterDays),
        };
        (string Field, int Days)? previous = null;
        foreach (var (field, days) in limits)
        {
            if (days is not { } d)
            {
                problems.Add(new(field, "is required: days overdue (a loan overdue more than this many days is at least this category)."));
                previous = null;
                continue;
            }

            if (d < 0 || d > ClassificationPolicy.MaxDays)
            {
                problems.Add(new(field, $"must be from 0 to {ClassificationPolicy.MaxDays} days, not {d}."));
            }
            else if (previous is { } p && d <= p.Days)
            {
                problems.Add(new(field, $"must be more than {p.Field} ({p.Days}), not {d}."));
            }

            previous = (field, d);
        }
    }

    private static void Amount(List<FieldProblem> problems, string field, decimal? amount, string meaning)
    {
        if (amount is not { } yuan || yuan <= 0m || yuan > MaxAmount || decimal.Round(yuan, 2) != yuan)
        {
            problems.Add(new(field, $"is required: yuan, more than 0, at most {MaxAmount:0} with at most 2 decimals ({meaning})."));
        }
    }
}
