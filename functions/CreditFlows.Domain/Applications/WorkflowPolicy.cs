namespace CreditFlows.Domain.Applications;

/// <summary>Responsibility shares by duty, in percent; they must sum to 100.</summary>
public sealed record ResponsibilityShares(decimal Investigation, decimal Review, decimal Approval, decimal PostLoanManagement)
{
    public static readonly ResponsibilityShares Default = new(30m, 20m, 30m, 20m);

    public bool SumTo100 => Investigation + Review + Approval + PostLoanManagement == 100m
        && Investigation >= 0 && Review >= 0 && Approval >= 0 && PostLoanManagement >= 0;
}

/// <summary>
/// The union's workflow settings: how long each stage may take (a reminder to the assignee at
/// <see cref="ReminderFraction"/> of it, an escalation to the supervising role at 100%), how long an
/// application may sit untouched before it expires, when the first post-loan inspection is due, and the
/// responsibility shares recorded at approval.
/// </summary>
public sealed record WorkflowPolicy
{
    public static readonly WorkflowPolicy Default = new();

    /// <summary>Stages without an entry have no deadline. Authorisation's applies to each tier separately.</summary>
    public IReadOnlyDictionary<ApplicationState, TimeSpan> StageDeadlines { get; init; } = new Dictionary<ApplicationState, TimeSpan>
    {
        [ApplicationState.Submitted] = TimeSpan.FromDays(2),
        [ApplicationState.Investigation] = TimeSpan.FromDays(7),
        [ApplicationState.Review] = TimeSpan.FromDays(3),
        [ApplicationState.Authorisation] = TimeSpan.FromDays(5),
        [ApplicationState.Approved] = TimeSpan.FromDays(15),
        [ApplicationState.Contracted] = TimeSpan.FromDays(5),
        [ApplicationState.ReadyForDisbursement] = TimeSpan.FromDays(3),
    };

    public double ReminderFraction { get; init; } = 0.8;

    /// <summary>An application before contract with no human action for this long expires.</summary>
    public TimeSpan ExpireAfterInactivity { get; init; } = TimeSpan.FromDays(30);

    public int FirstInspectionAfterDays { get; init; } = 30;

    public ResponsibilityShares Shares { get; init; } = ResponsibilityShares.Default;

    /// <summary>The loan review committee that votes at the Committee tier.</summary>
    public CommitteeRules Committee { get; init; } = new();

    public TimeSpan? DeadlineFor(ApplicationState stage) => StageDeadlines.TryGetValue(stage, out var d) && d > TimeSpan.Zero ? d : null;
}
