using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Tests;

public class MakerCheckerTests
{
    private static readonly DateOnly Today = new(2026, 7, 1);
    private static readonly DateTimeOffset Now = new(2026, 7, 1, 2, 0, 0, TimeSpan.Zero);
    private static readonly CreditUser Maker = new("admin-1", "Admin One", new HashSet<Role> { Role.HqAdmin }, BranchId.Headquarters);
    private static readonly CreditUser Checker = new("admin-2", "Admin Two", new HashSet<Role> { Role.HqAdmin }, BranchId.Headquarters);

    private static SettingsVersion Draft(DateOnly? effective = null) =>
        MakerChecker.NewDraft("AM-1", "matrix", Maker, effective ?? Today.AddDays(10), null, null, "api", Today, Now);

    [Fact]
    public void A_draft_submitted_by_its_maker_and_approved_by_another_admin_is_approved()
    {
        var submitted = MakerChecker.Submit(Draft(), Maker, Today, Now);
        var approved = MakerChecker.Approve(submitted, Checker, Today, Now);
        Assert.Equal(VersionStatus.Approved, approved.Status);
        Assert.Equal("admin-2", approved.DecidedBy);
    }

    [Fact]
    public void The_maker_may_not_approve_their_own_draft()
    {
        var submitted = MakerChecker.Submit(Draft(), Maker, Today, Now);
        var refusal = Assert.Throws<SettingsRefusal>(() => MakerChecker.Approve(submitted, Maker, Today, Now));
        Assert.Equal(SettingsRefusalKind.NotPermitted, refusal.Kind);
        Assert.Contains("maker-checker", refusal.Message);
    }

    [Fact]
    public void An_effective_date_in_the_past_is_refused_when_made_submitted_or_approved()
    {
        var past = Assert.Throws<SettingsRefusal>(() => Draft(Today.AddDays(-1)));
        Assert.Equal("effectiveFrom", Assert.Single(past.Problems).Field);

        // Submitted for the 5th, approved on the 6th: too late, it would take effect in the past.
        var submitted = MakerChecker.Submit(Draft(Today.AddDays(4)), Maker, Today, Now);
        var late = Assert.Throws<SettingsRefusal>(() => MakerChecker.Approve(submitted, Checker, Today.AddDays(5), Now));
        Assert.Equal(SettingsRefusalKind.Invalid, late.Kind);
        Assert.Contains("is in the past", late.Message);

        // Today itself is fine: in force at once.
        Assert.Equal(VersionStatus.Approved, MakerChecker.Approve(MakerChecker.Submit(Draft(Today), Maker, Today, Now), Checker, Today, Now).Status);
    }

    [Fact]
    public void Only_a_draft_is_edited_and_only_by_its_maker_and_only_HqAdmins_act()
    {
        var draft = Draft();
        Assert.Equal(SettingsRefusalKind.NotPermitted, Assert.Throws<SettingsRefusal>(() => MakerChecker.Edit(draft, Checker, null, "x", Today)).Kind);
        Assert.Equal(2, MakerChecker.Edit(draft, Maker, null, "x", Today).Revision);

        var submitted = MakerChecker.Submit(draft, Maker, Today, Now);
        Assert.Equal(SettingsRefusalKind.Conflict, Assert.Throws<SettingsRefusal>(() => MakerChecker.Edit(submitted, Maker, null, "y", Today)).Kind);

        var auditor = new CreditUser("auditor", "A", new HashSet<Role> { Role.Auditor }, BranchId.Headquarters);
        Assert.Equal(SettingsRefusalKind.NotPermitted, Assert.Throws<SettingsRefusal>(() => MakerChecker.Approve(submitted, auditor, Today, Now)).Kind);
        var approved = MakerChecker.Approve(submitted, Checker, Today, Now);
        Assert.Equal(SettingsRefusalKind.Conflict, Assert.Throws<SettingsRefusal>(() => MakerChecker.Approve(approved, Checker, Today, Now)).Kind);
    }

    [Fact]
    public void A_submission_needs_an_effective_date_and_a_rejection_a_reason()
    {
        var undated = MakerChecker.NewDraft("AM-2", "matrix", Maker, null, null, null, "api", Today, Now);
        Assert.Equal("effectiveFrom", Assert.Single(Assert.Throws<SettingsRefusal>(() => MakerChecker.Submit(undated, Maker, Today, Now)).Problems).Field);

        var submitted = MakerChecker.Submit(Draft(), Maker, Today, Now);
        Assert.Equal("comment", Assert.Single(Assert.Throws<SettingsRefusal>(() => MakerChecker.Reject(submitted, Checker, " ", Now)).Problems).Field);
        Assert.Equal(VersionStatus.Rejected, MakerChecker.Reject(submitted, Checker, "B03 limits too high", Now).Status);
    }

    [Fact]
    public void The_version_in_force_is_the_approved_one_with_the_latest_effective_date_not_after_the_day()
    {
        SettingsVersion V(string id, int day, VersionStatus status) => Draft() with { Id = id, EffectiveFrom = Today.AddDays(day), Status = status };
        var versions = new[] { V("a", 0, VersionStatus.Approved), V("b", 10, VersionStatus.Approved), V("c", 5, VersionStatus.Submitted) };
        Assert.Equal("a", MakerChecker.InForce(versions, Today.AddDays(9))!.Id);
        Assert.Equal("b", MakerChecker.InForce(versions, Today.AddDays(10))!.Id);
        Assert.Null(MakerChecker.InForce(versions, Today.AddDays(-1)));
    }
}
