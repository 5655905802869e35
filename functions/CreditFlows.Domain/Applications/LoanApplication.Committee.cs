using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Applications;

/// <summary>
/// The Committee tier: the loan review committee decides collectively ("no one pen"). When the application
/// reaches the tier, the vote opens with the committee as configured then, and every member is emailed. Each
/// member votes once, approve or reject, with an opinion; members who opened, investigated, reviewed or decided at
/// another tier may not vote. The vote closes:
/// <list type="bullet">
/// <item>approved, once the quorum has voted, approvals are at least the approval share of the votes cast, and
/// the chair (unless conflicted) has voted: the chair may veto an approval, so an approval waits for the chair;</item>
/// <item>rejected, at the chair's veto, or once every member who may vote has voted without reaching approval;</item>
/// <item>at the deadline (<see cref="CommitteeDeadlineOutcome.Reject"/>): approved if approval was reached (the chair
/// did not veto in time), else rejected; with <see cref="CommitteeDeadlineOutcome.Escalate"/> the chair is told.</item>
/// </list>
/// Every vote is in the log: a vote that leaves the vote open is a <c>committee.vote</c> event; the vote that closes it
/// is the closing event (<c>committee.approve</c> / <c>committee.reject</c>, its <c>closingVote</c>). The closing event,
/// the deadline's too, names all the votes.
/// </summary>
public sealed partial class LoanApplication
{
    /// <summary>The vote of the current round at the Committee tier, or the last one held.</summary>
    public CommitteeVote? Committee { get; set; }

    public Transition Vote(CreditUser actor, Ballot? ballot, string? opinion, DateTimeOffset now, WorkflowPolicy policy)
    {
        RequireState("vote", ApplicationState.Authorisation);
        if (TierNow != ApprovalTier.Committee || Committee is not { Outcome: null } vote)
        {
            throw WorkflowRefusal.WrongState("vote", State, $"The application waits for the {TierNow} tier, not for the committee's vote.");
        }

        if (!vote.Members.Contains(actor.Id) || !(actor.IsInRole(Role.CommitteeMember) || actor.IsInRole(Role.CommitteeChair)))
        {
            throw WorkflowRefusal.NotPermitted("Only a member of the loan review committee may vote.");
        }

        RequireNotPersonallyInvolved(actor);
        if (ConflictOf(actor.Id) is { } conflict)
        {
            throw WorkflowRefusal.NotPermitted($"{conflict}: you may not vote on it.");
        }

        if (vote.Ballots.Any(b => b.UserId == actor.Id))
        {
            throw WorkflowRefusal.WrongState("vote", State, "You have voted on this application already: each member votes once.");
        }

        if (ballot is not { } cast)
        {
            throw WorkflowRefusal.Invalid("vote", $"is required: one of {string.Join(", ", Enum.GetNames<Ballot>())}.");
        }

        if (cast == Ballot.Veto && actor.Id != vote.Chair)
        {
            throw WorkflowRefusal.Invalid("vote", "Only the committee's chair may veto.");
        }

        RequireComment(opinion, "is required: each vote gives the member's opinion.", "opinion");
        var ballotCast = new CommitteeBallot(actor.Id, actor.Name, cast, opinion!.Trim(), now);
        vote.Ballots.Add(ballotCast);
        var role = actor.Id == vote.Chair && actor.IsInRole(Role.CommitteeChair) ? Role.CommitteeChair : Role.CommitteeMember;
        var detail = new Dictionary<string, object?> { ["tier"] = nameof(ApprovalTier.Committee), ["vote"] = cast.ToString(), ["opinion"] = opinion.Trim() };

        // A command stores one event, so the vote that closes the vote (often the chair's: an approval waits for it) is the
        // closing event itself, not a committee.vote before it; closingVote names it there as a vote, with its opinion.
        Transition Close(bool approved, string outcome)
        {
            detail["closingVote"] = ballotCast;
            return CloseVote(vote, approved, outcome, actor, role, now, policy, detail);
        }

        var eligible = vote.Members.Where(m => ConflictOf(m) is null).ToList();
        var chairPending = vote.Chair is { } chair && eligible.Contains(chair) && vote.Ballots.All(b => b.UserId != chair);
        var allVoted = eligible.All(m => vote.Ballots.Any(b => b.UserId == m));
        if (cast == Ballot.Veto)
        {
            return Close(approved: false, $"Vetoed by the chair {actor.Name}. {vote.Tally}.");
        }

        if (vote.ApprovalReached && !chairPending)
        {
            return Close(approved: true, $"Approved: {vote.Tally}.");
        }

        if (allVoted)
        {
            var why = vote.Ballots.Count < vote.Quorum ? $"quorum not met: {vote.Ballots.Count} of {vote.Members.Count} members voted, {vote.Quorum} needed" : vote.Tally;
            return Close(approved: false, $"Rejected: everyone who may vote has voted; {why}.");
        }

        detail["tally"] = vote.Tally;
        return Record("committee.vote", actor, role, now, policy, ApplicationState.Authorisation, opinion, true, detail);
    }

    /// <summary>Why <paramref name="userId"/> may not vote on this application, or null.</summary>
    public string? ConflictOf(string userId) =>
        Investigators.Contains(userId) ? "You investigated this application"
        : userId == OfficerId ? "You opened this application"
        : Reviews.Any(r => r.ReviewerId == userId) ? "You reviewed this application"
        : Decisions.FirstOrDefault(d => d.UserId == userId && d.Tier != ApprovalTier.Committee) is { } d ? $"You decided at the {d.Tier} tier of this application"
        : userId == Borrower.EmployeeUserId || IsOrWasRelated(userId) ? "You are the borrower or declared related to the borrower"
        : null;

    /// <summary>Opens the vote when the application reaches the Committee tier, and emails every member.</summary>
    private void OpenCommitteeVote(WorkflowPolicy policy, DateTimeOffset now)
    {
        var rules = policy.Committee;
        Committee = new CommitteeVote
        {
            Round = Round, Members = [.. rules.Members.Distinct()], Chair = rules.Chair, Quorum = rules.Quorum.AtLeastOf(rules.Members.Distinct().Count()),
            ApprovalShare = rules.ApprovalShare, OpenedAt = now,
        };
        foreach (var member in Committee.Members)
        {
            Notify("committee.vote", member, null, $"贷审会表决 Committee vote: {Id}",
                $"Application {Id} ({Borrower.Name}, {Terms.Amount} yuan, {Product}, {GuaranteeType}) waits for the loan review committee's vote. "
                + (ConflictOf(member) is { } conflict ? $"{conflict}, so you may not vote on it." : "Vote approve or reject with your opinion: POST /api/applications/{id}/vote."));
        }
    }

    /// <summary>At the Committee tier's deadline: close the vote (Reject outcome) or answer null to escalate as any tier does.</summary>
    private Transition? CommitteeDeadline(CreditUser system, DateTimeOffset now, WorkflowPolicy policy)
    {
        if (policy.Committee.DeadlineOutcome != CommitteeDeadlineOutcome.Reject || Committee is not { Outcome: null } vote)
        {
            return null;
        }

        return vote.ApprovalReached
            ? CloseVote(vote, approved: true, $"Approved at the deadline (the chair did not veto): {vote.Tally}.", system, null, now, policy, new() { ["tier"] = nameof(ApprovalTier.Committee) }, "committee.deadline")
            : CloseVote(vote, approved: false, $"Rejected at the deadline: {(vote.Ballots.Count < vote.Quorum ? $"quorum not met, {vote.Ballots.Count} of {vote.Members.Count} members voted, {vote.Quorum} needed" : vote.Tally)}.",
                system, null, now, policy, new() { ["tier"] = nameof(ApprovalTier.Committee) }, "committee.deadline");
    }

    private Transition CloseVote(CommitteeVote vote, bool approved, string outcome, CreditUser actor, Role? role, DateTimeOffset now, WorkflowPolicy policy, Dictionary<string, object?> detail, string? command = null)
    {
        vote.Outcome = outcome;
        foreach (var b in vote.Ballots)
        {
            Decisions.Add(new TierDecision(Round, ApprovalTier.Committee, b.UserId, b.UserName, b.Vote == Ballot.Approve ? DecisionOutcome.Approve : DecisionOutcome.Reject, null, b.Opinion, $"committee vote, round {vote.Round}", b.At));
        }

        detail["outcome"] = outcome;
        detail["votes"] = vote.Named.ToArray();
        if (!approved)
        {
            RejectionReason = Applications.RejectionReason.RejectedByCommittee;
            ClosingComment = outcome;
            Notify("rejected", OfficerId, null, $"贷款申请被否决 Application rejected: {Id}", $"The loan review committee rejected application {Id} ({Borrower.Name}). {outcome} Votes: {string.Join("; ", vote.Named)}");
            return Record(command ?? "committee.reject", actor, role, now, policy, ApplicationState.Rejected, outcome, role is not null, detail);
        }

        Responsibility = ShareResponsibility(policy.Shares);
        detail["responsibility"] = Responsibility.Select(r => $"{r.Duty}: {r.UserId} {r.SharePercent}%").ToArray();
        Notify("approved", OfficerId, null, $"贷款申请已批准 Application approved: {Id}", $"Application {Id} ({Borrower.Name}, {Terms.Amount} yuan) is approved by the loan review committee. {outcome} Please sign the contract.");
        return Record(command ?? "committee.approve", actor, role, now, policy, ApplicationState.Approved, outcome, role is not null, detail);
    }
}
