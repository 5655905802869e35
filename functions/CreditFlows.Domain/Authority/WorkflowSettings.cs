using CreditFlows.Domain.Applications;

namespace CreditFlows.Domain.Authority;

/// <summary>Responsibility shares as HQ writes them, in percent.</summary>
public sealed record SharesDocument(decimal? Investigation, decimal? Review, decimal? Approval, decimal? PostLoanManagement);

/// <summary>
/// The workflow settings HQ administers through maker-checker (kind <c>workflow</c>): stage deadlines (a stage
/// name → <c>d.hh:mm:ss</c>, <c>00:00:00</c> for none), the reminder point, the inactivity expiry, the first
/// inspection and the responsibility shares. A version is complete: it states every value. The committee's
/// membership stays an app setting.
/// </summary>
public sealed record WorkflowSettings(
    IReadOnlyDictionary<string, TimeSpan>? StageDeadlines,
    double? ReminderFraction,
    TimeSpan? ExpireAfterInactivity,
    int? FirstInspectionAfterDays,
    SharesDocument? ResponsibilityShares)
{
    public const string Kind = "workflow";

    /// <summary>Stages that can have a deadline (a stage's deadline runs from when it is entered).</summary>
    public static readonly IReadOnlyList<ApplicationState> StagesWithDeadlines =
    [
        ApplicationState.Submitted, ApplicationState.Investigation, ApplicationState.Review, ApplicationState.Authorisation,
        ApplicationState.Approved, ApplicationState.Contracted, ApplicationState.ReadyForDisbursement,
    ];

    public static WorkflowSettings From(WorkflowPolicy policy) => new(
        StagesWithDeadlines.ToDictionary(s => s.ToString(), s => policy.StageDeadlines.GetValueOrDefault(s)),
        policy.ReminderFraction, policy.ExpireAfterInactivity, policy.FirstInspectionAfterDays,
        new SharesDocument(policy.Shares.Investigation, policy.Shares.Review, policy.Shares.Approval, policy.Shares.PostLoanManagement));

    /// <summary>Every problem, each naming its field; empty when the settings can be used.</summary>
    public IReadOnlyList<FieldProblem> Problems()
    {
        var problems = new List<FieldProblem>();
        if (StageDeadlines is null)
        {
            problems.Add(new("stageDeadlines", $"is required: a deadline for each of {string.Join(", ", StagesWithDeadlines)} (00:00:00 for none)."));
        }
        else
        {
            foreach (var (stage, deadline) in StageDeadlines)
            {
                if (!StagesWithDeadlines.Any(s => s.ToString() == stage))
                {
                    problems.Add(new($"stageDeadlines.{stage}", $"is not a stage with a deadline: one of {string.Join(", ", StagesWithDeadlines)}."));
                }
                else if (deadline < TimeSpan.Zero || deadline > TimeSpan.FromDays(365))
                {
                    problems.Add(new($"stageDeadlines.{stage}", $"must be from 00:00:00 (no deadline) to 365.00:00:00, not {deadline}."));
                }
            }

            foreach (var missing in StagesWithDeadlines.Where(s => !StageDeadlines.ContainsKey(s.ToString())))
            {
                problems.Add(new($"stageDeadlines.{missing}", "is required (00:00:00 for no deadline)."));
            }
        }

        if (ReminderFraction is not (> 0 and < 1))
        {
            problems.Add(new("reminderFraction", "is required: between 0 and 1 (exclusive), the share of a deadline at which the assignee is reminded."));
        }

        if (ExpireAfterInactivity is not { } expiry || expiry <= TimeSpan.Zero || expiry > TimeSpan.FromDays(365))
        {
            problems.Add(new("expireAfterInactivity", "is required: more than zero, at most 365.00:00:00."));
        }

        if (FirstInspectionAfterDays is not (>= 1 and <= 365))
        {
            problems.Add(new("firstInspectionAfterDays", "is required: 1 to 365 days after disbursement."));
        }

        if (ResponsibilityShares is not { Investigation: { } i, Review: { } r, Approval: { } a, PostLoanManagement: { } p })
        {
            problems.Add(new("responsibilityShares", "is required: investigation, review, approval and postLoanManagement, in percent."));
        }
        else if (i < 0 || r < 0 || a < 0 || p < 0 || i + r + a + p != 100m)
        {
            problems.Add(new("responsibilityShares", $"must be non-negative and sum to 100, not {i + r + a + p}."));
        }

        return problems;
    }

    /// <summary>The policy with these settings in place of <paramref name="baseline"/>'s (call only when <see cref="Problems"/> is empty).</summary>
    public WorkflowPolicy ApplyTo(WorkflowPolicy baseline) => baseline with
    {
        StageDeadlines = StageDeadlines!.ToDictionary(d => Enum.Parse<ApplicationState>(d.Key), d => d.Value),
        ReminderFraction = ReminderFraction!.Value,
        ExpireAfterInactivity = ExpireAfterInactivity!.Value,
        FirstInspectionAfterDays = FirstInspectionAfterDays!.Value,
        Shares = new ResponsibilityShares(ResponsibilityShares!.Investigation!.Value, ResponsibilityShares.Review!.Value,
            ResponsibilityShares.Approval!.Value, ResponsibilityShares.PostLoanManagement!.Value),
    };
}
