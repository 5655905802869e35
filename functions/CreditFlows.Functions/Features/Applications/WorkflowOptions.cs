using CreditFlows.Domain.Applications;

namespace CreditFlows.Functions.Features.Applications;

/// <summary>
/// Settings of section <c>Workflow</c> (e.g. <c>Workflow__StageDeadlines__Review=3.00:00:00</c>), turned into
/// the domain's <see cref="WorkflowPolicy"/>. Unset values keep the policy's defaults. HQ will manage these
/// through maker-checker (the HQ configuration issue); until then they are app settings.
/// </summary>
public sealed class WorkflowOptions
{
    public const string Section = "Workflow";

    public Dictionary<ApplicationState, TimeSpan> StageDeadlines { get; set; } = [];

    public double? ReminderFraction { get; set; }

    public TimeSpan? ExpireAfterInactivity { get; set; }

    public int? FirstInspectionAfterDays { get; set; }

    public ResponsibilityShareOptions? ResponsibilityShares { get; set; }

    /// <summary>The loan review committee (<c>Workflow__Committee__Members__0=cm-1</c>, …); see <see cref="CommitteeOptions"/>.</summary>
    public CommitteeOptions Committee { get; set; } = new();

    public WorkflowPolicy ToPolicy()
    {
        var defaults = WorkflowPolicy.Default;
        var deadlines = new Dictionary<ApplicationState, TimeSpan>(defaults.StageDeadlines);
        foreach (var (stage, deadline) in StageDeadlines)
        {
            deadlines[stage] = deadline;
        }

        return new WorkflowPolicy
        {
            StageDeadlines = deadlines,
            ReminderFraction = ReminderFraction ?? defaults.ReminderFraction,
            ExpireAfterInactivity = ExpireAfterInactivity ?? defaults.ExpireAfterInactivity,
            FirstInspectionAfterDays = FirstInspectionAfterDays ?? defaults.FirstInspectionAfterDays,
            Shares = ResponsibilityShares?.ToShares() ?? defaults.Shares,
            Committee = Committee.ToRules(),
        };
    }

    public IEnumerable<string> Problems()
    {
        var policy = ToPolicy();
        if (policy.ReminderFraction is <= 0 or >= 1)
        {
            yield return "Workflow:ReminderFraction must be between 0 and 1 (exclusive).";
        }

        if (policy.ExpireAfterInactivity <= TimeSpan.Zero)
        {
            yield return "Workflow:ExpireAfterInactivity must be positive.";
        }

        if (policy.FirstInspectionAfterDays is < 1 or > 365)
        {
            yield return "Workflow:FirstInspectionAfterDays must be 1 to 365.";
        }

        if (!policy.Shares.SumTo100)
        {
            yield return "Workflow:ResponsibilityShares must be non-negative and sum to 100.";
        }

        foreach (var problem in Committee.Problems())
        {
            yield return problem;
        }

        foreach (var (stage, deadline) in policy.StageDeadlines.Where(d => d.Value < TimeSpan.Zero))
        {
            yield return $"Workflow:StageDeadlines:{stage} must not be negative.";
        }
    }
}

public sealed class ResponsibilityShareOptions
{
    public decimal Investigation { get; set; }

    public decimal Review { get; set; }

    public decimal Approval { get; set; }

    public decimal PostLoanManagement { get; set; }

    public ResponsibilityShares ToShares() => new(Investigation, Review, Approval, PostLoanManagement);
}

/// <summary>
/// Section <c>Workflow:Committee</c>: the members' user ids (the chair among them; each must also hold the
/// <c>CommitteeMember</c> or <c>CommitteeChair</c> role), the chair, the quorum and approval share as fractions
/// (<c>2/3</c>), and what the deadline does (<c>Reject</c> or <c>Escalate</c>). In Development, with no members set,
/// the demo committee is used.
/// </summary>
public sealed class CommitteeOptions
{
    public List<string> Members { get; set; } = [];

    public string? Chair { get; set; }

    public string Quorum { get; set; } = "2/3";

    public string ApprovalShare { get; set; } = "2/3";

    public CommitteeDeadlineOutcome DeadlineOutcome { get; set; } = CommitteeDeadlineOutcome.Reject;

    public CommitteeRules ToRules() => new()
    {
        Members = [.. Members.Where(m => !string.IsNullOrWhiteSpace(m)).Select(m => m.Trim()).Distinct()],
        Chair = string.IsNullOrWhiteSpace(Chair) ? null : Chair.Trim(),
        Quorum = Fraction.TryParse(Quorum, out var q) ? q : Fraction.TwoThirds,
        ApprovalShare = Fraction.TryParse(ApprovalShare, out var a) ? a : Fraction.TwoThirds,
        DeadlineOutcome = DeadlineOutcome,
    };

    public IEnumerable<string> Problems()
    {
        if (!Fraction.TryParse(Quorum, out _))
        {
            yield return "Workflow:Committee:Quorum must be a fraction such as 2/3 (more than 0, at most 1).";
        }

        if (!Fraction.TryParse(ApprovalShare, out _))
        {
            yield return "Workflow:Committee:ApprovalShare must be a fraction such as 2/3 (more than 0, at most 1).";
        }

        var rules = ToRules();
        if (rules.Members.Count is > 0 and < 3)
        {
            yield return "Workflow:Committee:Members must name at least 3 people: a committee is collective.";
        }

        if (rules.Members.Count > 0 && (rules.Chair is null || !rules.Members.Contains(rules.Chair)))
        {
            yield return "Workflow:Committee:Chair must be one of Workflow:Committee:Members.";
        }
    }
}
