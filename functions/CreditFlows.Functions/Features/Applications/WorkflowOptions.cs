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
