using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Tests;

/// <summary>The loan review committee's collective decision: four members (the chair among them), quorum and approvals two thirds.</summary>
public class CommitteeVoteTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 1, 0, 0, TimeSpan.Zero);

    private static readonly WorkflowPolicy Policy = WorkflowPolicy.Default with
    {
        Committee = new CommitteeRules { Members = ["cm1", "cm2", "cm3", "chair"], Chair = "chair" },
    };

    private static readonly CreditUser Cm1 = Member("cm1"), Cm2 = Member("cm2"), Cm3 = Member("cm3");
    private static readonly CreditUser Chair = new("chair", "chair", new HashSet<Role> { Role.CommitteeChair, Role.CommitteeMember }, BranchId.Headquarters);

    private static CreditUser Member(string id) => new(id, id, new HashSet<Role> { Role.CommitteeMember }, BranchId.Headquarters);

    /// <summary>A 15 million yuan loan approved by the director and HQ: it waits for the committee.</summary>
    private static (LoanApplication App, Transition Reached) AtCommittee(WorkflowPolicy? policy = null)
    {
        var p = policy ?? Policy;
        var app = LoanApplicationTests.InAuthorisation(15_000_000m, p);
        app.Decide(new CreditUser("dir", "dir", new HashSet<Role> { Role.BranchDirector }, BranchId.Parse("B01")), DecisionOutcome.Approve, null, null, null, T0, p);
        var reached = app.Decide(new CreditUser("hq", "hq", new HashSet<Role> { Role.HqCreditDept }, BranchId.Headquarters), DecisionOutcome.Approve, null, null, null, T0, p);
        Assert.Equal(ApprovalTier.Committee, app.TierNow);
        return (app, reached);
    }

    private static Transition Vote(LoanApplication app, CreditUser who, Ballot ballot, WorkflowPolicy? policy = null) =>
        app.Vote(who, ballot, $"{who.Id} says {ballot}", T0.AddHours(1), policy ?? Policy);

    [Fact]
    public void Reaching_the_committee_opens_the_vote_and_emails_every_member()
    {
        var (app, reached) = AtCommittee();
        Assert.Equal(["cm1", "cm2", "cm3", "chair"], reached.Effects.OfType<Notify>().Where(n => n.Kind == "committee.vote").Select(n => n.UserId));
        Assert.Equal(3, app.Committee!.Quorum);
        Assert.True(app.MayAct(Cm1, Policy));
        Assert.False(app.MayAct(new CreditUser("hq", "hq", new HashSet<Role> { Role.HqCreditDept, Role.CommitteeMember }, BranchId.Headquarters), Policy));

        var decide = Assert.Throws<WorkflowRefusal>(() => app.Decide(Chair, DecisionOutcome.Approve, null, null, "No. 3", T0, Policy));
        Assert.Equal(RefusalKind.WrongState, decide.Kind);
    }

    [Fact]
    public void Exactly_two_thirds_of_the_votes_cast_approve_once_the_quorum_and_the_chair_have_voted()
    {
        var (app, _) = AtCommittee();
        Assert.Equal("committee.vote", Vote(app, Cm1, Ballot.Approve).Command);
        Assert.Equal("committee.vote", Vote(app, Cm2, Ballot.Reject).Command); // two votes: below the quorum of three
        var closed = Vote(app, Chair, Ballot.Approve);

        Assert.Equal("committee.approve", closed.Command);
        Assert.Equal(ApplicationState.Approved, app.State);
        Assert.Equal(["cm1: Approve — cm1 says Approve", "cm2: Reject — cm2 says Reject", "chair: Approve — chair says Approve"], (string[])closed.Detail["votes"]!);
        Assert.Contains(app.Responsibility, r => r.Duty == Duty.Approval && r.UserId == "chair");
        Assert.DoesNotContain(app.Responsibility, r => r.UserId == "cm2");
    }

    [Fact]
    public void Below_two_thirds_is_a_rejection_once_all_have_voted_and_the_chair_cannot_turn_it_into_an_approval()
    {
        var (app, _) = AtCommittee();
        Vote(app, Cm1, Ballot.Approve);
        Vote(app, Cm2, Ballot.Reject);
        Vote(app, Cm3, Ballot.Reject);
        var closed = Vote(app, Chair, Ballot.Approve); // 2 of 4 approve: the chair's approval is one vote, not an override

        Assert.Equal("committee.reject", closed.Command);
        Assert.Equal(ApplicationState.Rejected, app.State);
        Assert.Equal(RejectionReason.RejectedByCommittee, app.RejectionReason);
        Assert.Contains("2 of 4 votes cast approve", app.ClosingComment);
    }

    [Fact]
    public void The_chair_may_veto_an_approval_and_only_the_chair()
    {
        var (app, _) = AtCommittee();
        Vote(app, Cm1, Ballot.Approve);
        Vote(app, Cm2, Ballot.Approve);
        Assert.Equal("committee.vote", Vote(app, Cm3, Ballot.Approve).Command); // approval reached, waiting for the chair

        var vetoed = Vote(app, Chair, Ballot.Veto);
        Assert.Equal("committee.reject", vetoed.Command);
        Assert.Equal(ApplicationState.Rejected, app.State);
        Assert.StartsWith("Vetoed by the chair", app.ClosingComment);
    }

    [Fact]
    public void The_chairs_deciding_vote_is_in_the_history_as_the_closing_vote()
    {
        var (app, _) = AtCommittee();
        Vote(app, Cm1, Ballot.Approve);
        Vote(app, Cm2, Ballot.Approve);
        var closed = Vote(app, Chair, Ballot.Approve);

        // One command, one event: the closing event is the chair's vote, and says so.
        Assert.Equal("committee.approve", closed.Command);
        Assert.Equal("chair", closed.ActorId);
        var vote = Assert.IsType<CommitteeBallot>(closed.Detail["closingVote"]);
        Assert.Equal(("chair", Ballot.Approve, "chair says Approve"), (vote.UserId, vote.Vote, vote.Opinion));
        Assert.Equal(3, ((string[])closed.Detail["votes"]!).Length);
    }

    [Fact]
    public void The_chairs_veto_is_in_the_history_as_the_closing_vote()
    {
        var (app, _) = AtCommittee();
        Vote(app, Cm1, Ballot.Approve);
        Vote(app, Cm2, Ballot.Approve);
        var vetoed = Vote(app, Chair, Ballot.Veto);

        Assert.Equal("committee.reject", vetoed.Command);
        var vote = Assert.IsType<CommitteeBallot>(vetoed.Detail["closingVote"]);
        Assert.Equal(("chair", Ballot.Veto), (vote.UserId, vote.Vote));
    }

    [Fact]
    public void A_member_may_not_veto()
    {
        var (app, _) = AtCommittee();
        var refusal = Assert.Throws<WorkflowRefusal>(() => Vote(app, Cm1, Ballot.Veto));
        Assert.Equal(RefusalKind.Invalid, refusal.Kind);
        Assert.Empty(app.Committee!.Ballots);
    }

    [Fact]
    public void A_member_who_decided_at_an_earlier_tier_may_not_vote_and_does_not_count_as_missing()
    {
        var policy = Policy with { Committee = new CommitteeRules { Members = ["cm1", "cm2", "hq", "chair"], Chair = "chair" } };
        var (app, _) = AtCommittee(policy);
        var hq = new CreditUser("hq", "hq", new HashSet<Role> { Role.HqCreditDept, Role.CommitteeMember }, BranchId.Headquarters);
        var refusal = Assert.Throws<WorkflowRefusal>(() => app.Vote(hq, Ballot.Approve, "ok", T0, policy));
        Assert.Equal(RefusalKind.NotPermitted, refusal.Kind);
        Assert.Contains("HqCreditDept tier", refusal.Message);

        Vote(app, Cm1, Ballot.Reject, policy);
        Vote(app, Cm2, Ballot.Reject, policy);
        Assert.Equal("committee.reject", Vote(app, Chair, Ballot.Approve, policy).Command); // everyone who may vote has voted
    }

    [Fact]
    public void Each_member_votes_once_with_an_opinion_and_outsiders_do_not_vote()
    {
        var (app, _) = AtCommittee();
        Vote(app, Cm1, Ballot.Approve);
        Assert.Equal(RefusalKind.WrongState, Assert.Throws<WorkflowRefusal>(() => Vote(app, Cm1, Ballot.Reject)).Kind);
        Assert.Equal("opinion", Assert.Single(Assert.Throws<WorkflowRefusal>(() => app.Vote(Cm2, Ballot.Approve, " ", T0, Policy)).Fields).Key);
        Assert.Equal(RefusalKind.NotPermitted, Assert.Throws<WorkflowRefusal>(() => Vote(app, Member("cm9"), Ballot.Approve)).Kind);
        Assert.Single(app.Committee!.Ballots);
    }

    [Fact]
    public void At_the_deadline_a_vote_without_quorum_is_rejected()
    {
        var (app, reached) = AtCommittee();
        Vote(app, Cm1, Ballot.Approve);
        Vote(app, Chair, Ballot.Approve);

        var deadline = app.OnTimer(TimerKind.Escalation, reached.Sequence, T0.AddDays(5), Policy)!;
        Assert.Equal("committee.deadline", deadline.Command);
        Assert.Equal(ApplicationState.Rejected, app.State);
        Assert.Contains("quorum not met, 2 of 4 members voted, 3 needed", app.ClosingComment);
        Assert.False(deadline.Detail.ContainsKey("closingVote")); // closed by the clock, not by a vote
    }

    [Fact]
    public void At_the_deadline_an_approval_the_chair_did_not_veto_stands()
    {
        var (app, reached) = AtCommittee();
        Vote(app, Cm1, Ballot.Approve);
        Vote(app, Cm2, Ballot.Approve);
        Vote(app, Cm3, Ballot.Reject);

        app.OnTimer(TimerKind.Escalation, reached.Sequence, T0.AddDays(5), Policy);
        Assert.Equal(ApplicationState.Approved, app.State);
    }

    [Fact]
    public void With_escalation_configured_the_deadline_tells_the_chair_and_the_vote_stays_open()
    {
        var policy = Policy with { Committee = Policy.Committee with { DeadlineOutcome = CommitteeDeadlineOutcome.Escalate } };
        var (app, reached) = AtCommittee(policy);
        Vote(app, Cm1, Ballot.Approve, policy);

        var escalation = app.OnTimer(TimerKind.Escalation, reached.Sequence, T0.AddDays(5), policy)!;
        Assert.Equal("timer.escalation", escalation.Command);
        Assert.Equal(Role.CommitteeChair, Assert.Single(escalation.Effects.OfType<Notify>()).Role);
        Assert.Equal(ApplicationState.Authorisation, app.State);
        Assert.Equal("committee.vote", Vote(app, Cm2, Ballot.Approve, policy).Command);
    }

    [Fact]
    public void The_reminder_goes_to_the_members_who_have_not_voted()
    {
        var (app, reached) = AtCommittee();
        Vote(app, Cm1, Ballot.Approve);
        var reminder = app.OnTimer(TimerKind.Reminder, reached.Sequence, T0.AddDays(4), Policy)!;
        Assert.Equal(["cm2", "cm3", "chair"], reminder.Effects.OfType<Notify>().Select(n => n.UserId));
    }
}
