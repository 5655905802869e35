using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Authority;

namespace CreditFlows.Domain.Tests;

public class WorkflowSettingsTests
{
    private static readonly WorkflowSettings Defaults = WorkflowSettings.From(WorkflowPolicy.Default);

    [Fact]
    public void The_default_policy_as_settings_is_valid_and_applies_back_unchanged()
    {
        Assert.Empty(Defaults.Problems());
        var applied = Defaults.ApplyTo(WorkflowPolicy.Default);
        Assert.Equal(WorkflowPolicy.Default.Shares, applied.Shares);
        Assert.Equal(TimeSpan.FromDays(3), applied.DeadlineFor(ApplicationState.Review));
    }

    [Fact]
    public void Each_bad_value_is_named()
    {
        var deadlines = new Dictionary<string, TimeSpan>(Defaults.StageDeadlines!) { ["Lunch"] = TimeSpan.FromHours(1), ["Review"] = TimeSpan.FromDays(-1) };
        deadlines.Remove("Approved");
        var bad = Defaults with
        {
            StageDeadlines = deadlines, ReminderFraction = 1, ExpireAfterInactivity = TimeSpan.Zero, FirstInspectionAfterDays = 0,
            ResponsibilityShares = new SharesDocument(30, 20, 30, 30),
        };
        Assert.Equal(
            ["stageDeadlines.Review", "stageDeadlines.Lunch", "stageDeadlines.Approved", "reminderFraction", "expireAfterInactivity", "firstInspectionAfterDays", "responsibilityShares"],
            bad.Problems().Select(p => p.Field));
        Assert.Equal("must be non-negative and sum to 100, not 110.", bad.Problems()[^1].Problem);
    }

    [Fact]
    public void A_stage_set_to_zero_has_no_deadline()
    {
        var none = Defaults with { StageDeadlines = new Dictionary<string, TimeSpan>(Defaults.StageDeadlines!) { ["Review"] = TimeSpan.Zero } };
        Assert.Empty(none.Problems());
        Assert.Null(none.ApplyTo(WorkflowPolicy.Default).DeadlineFor(ApplicationState.Review));
    }
}
