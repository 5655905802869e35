using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Applications;

/// <summary>
/// One loan application and its state machine. Every command checks the state, the caller's role and branch
/// scope and the separation of duties (审贷分离), then changes the application and answers the
/// <see cref="Transition"/> to store: the event for the log and the side effects (emails, timers, the core
/// banking hand-off). A refused command throws <see cref="WorkflowRefusal"/> and changes nothing.
/// The properties are public for storage; change them only through the commands.
/// </summary>
public sealed partial class LoanApplication
{
    public const string SystemActor = "system";

    private readonly List<Effect> _effects = [];

    public string Id { get; set; } = string.Empty;

    public BranchId Branch { get; set; }

    public ApplicationState State { get; set; }

    /// <summary>The number of transitions so far; the last event's sequence number.</summary>
    public int Version { get; set; }

    /// <summary>The version at which the current stage (state, and tier during authorisation) was entered.</summary>
    public int StageVersion { get; set; }

    public DateTimeOffset StageEnteredAt { get; set; }

    /// <summary>The version of the last human action (timers do not count): expiry timers carry it.</summary>
    public int LastActionVersion { get; set; }

    public DateTimeOffset LastActionAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The loan officer who opened the application and manages it (the opener: never its reviewer or decider).</summary>
    public string OfficerId { get; set; } = string.Empty;

    public string OfficerName { get; set; } = string.Empty;

    public Borrower Borrower { get; set; } = new();

    public Product Product { get; set; }

    public GuaranteeType GuaranteeType { get; set; }

    public LoanTerms Terms { get; set; } = new(Money.Zero, 0, 0m);

    public string Purpose { get; set; } = string.Empty;

    /// <summary>The employees related to the borrower or a guarantor, as listed now: they decide the employee-related tier.</summary>
    public List<RelatedEmployee> RelatedEmployees { get; set; } = [];

    /// <summary>
    /// Every user id ever listed in <see cref="RelatedEmployees"/>, at opening or at any investigation, even if taken
    /// off the list since. Separation of duties reads this, not only the list as it is now: taking a name off the list
    /// (a mistake corrected, or not) is recorded in the history and may change the route, but never lets that person
    /// review, decide or vote. Why this rule: the officer must be able to correct the list as the investigation learns
    /// more, without a reviewer's sign-off for each edit, yet editing the list must never be the way a relative gets to
    /// approve; an examiner reading the history sees every change and who made it. Applications stored before this was
    /// kept have it empty; the list still counts.
    /// </summary>
    public List<string> EverRelatedEmployees { get; set; } = [];

    public Investigation? Investigation { get; set; }

    /// <summary>Everyone who saved or submitted the investigation, in any round.</summary>
    public List<string> Investigators { get; set; } = [];

    /// <summary>Who submitted the investigation that is under review or was approved.</summary>
    public string? InvestigatorId { get; set; }

    public string? InvestigatorName { get; set; }

    /// <summary>Review and authorisation round: 1, plus one for every return to investigation.</summary>
    public int Round { get; set; } = 1;

    public List<ReviewRecord> Reviews { get; set; } = [];

    public Route? Route { get; set; }

    /// <summary>The version of the authority matrix this application was first routed with; kept for its life.</summary>
    public string? MatrixVersion { get; set; }

    /// <summary>Index into <see cref="Route"/>'s tiers of the tier deciding now.</summary>
    public int CurrentTier { get; set; }

    public List<TierDecision> Decisions { get; set; } = [];

    public RejectionReason? RejectionReason { get; set; }

    public string? ClosingComment { get; set; }

    public List<ResponsibilityEntry> Responsibility { get; set; } = [];

    public ContractRecord? Contract { get; set; }

    public DisbursementRecord? Disbursement { get; set; }

    public DateOnly? FirstInspectionDue { get; set; }

    public InspectionRecord? FirstInspection { get; set; }

    /// <summary>Stage versions whose reminder, and escalation, have been sent.</summary>
    public List<string> TimersFired { get; set; } = [];

    public bool IsEmployeeRelated => RelatedEmployees.Count > 0 || !string.IsNullOrEmpty(Borrower.EmployeeUserId);

    public ApprovalTier? TierNow => State == ApplicationState.Authorisation && Route is { } r && CurrentTier < r.Tiers.Count ? r.Tiers[CurrentTier] : null;

    // ---------------------------------------------------------------- opening

    public static (LoanApplication Application, Transition Opened) Open(string id, CreditUser actor, OpenApplication request, DateTimeOffset now, WorkflowPolicy policy)
    {
        RequireRole(actor, Role.LoanOfficer, "open an application");
        if (!actor.CanAccess(request.Branch))
        {
            throw WorkflowRefusal.NotPermitted($"Branch {request.Branch} is outside your branch scope.");
        }

        var application = new LoanApplication
        {
            Id = id,
            Branch = request.Branch,
            State = ApplicationState.Draft,
            CreatedAt = now,
            OfficerId = actor.Id,
            OfficerName = actor.Name,
            Borrower = request.Borrower,
            Product = request.Product,
            GuaranteeType = request.GuaranteeType,
            Terms = request.Terms,
            Purpose = request.Purpose.Trim(),
        };
        var change = application.ChangeRelatedEmployees(request.RelatedEmployees);
        application.RequireNotPersonallyInvolved(actor);
        var detail = new Dictionary<string, object?>
        {
            ["product"] = request.Product.ToString(),
            ["guaranteeType"] = request.GuaranteeType.ToString(),
            ["amount"] = request.Terms.Amount.Yuan,
        };
        if (change is not null)
        {
            detail["relatedEmployeesChanged"] = change;
        }

        var opened = application.Record("open", actor, Role.LoanOfficer, now, policy, ApplicationState.Draft, comment: null, human: true, detail);
        return (application, opened);
    }

    // ---------------------------------------------------------------- investigation

    public Transition Submit(CreditUser actor, DateTimeOffset now, WorkflowPolicy policy)
    {
        RequireState("submit", ApplicationState.Draft);
        RequireBranchOfficer(actor, "submit an application");
        return Record("submit", actor, Role.LoanOfficer, now, policy, ApplicationState.Submitted, null, true, new());
    }

    /// <summary>
    /// Saves the investigation (replacing what was saved before). With <paramref name="complete"/>, checks that
    /// it has everything the product and guarantee type need and sends it to review, its terms becoming the
    /// application's. The first save starts the Investigation stage. <paramref name="relatedEmployees"/>, when given,
    /// replaces the list: employees may be added or removed, and the event's <c>relatedEmployeesChanged</c> says who
    /// (the review routes with the list as it is then), but whoever was ever listed stays barred from acting on it.
    /// </summary>
    public Transition Investigate(CreditUser actor, Investigation investigation, IReadOnlyList<RelatedEmployee>? relatedEmployees, bool complete, DateTimeOffset now, WorkflowPolicy policy)
    {
        RequireState("investigation", ApplicationState.Submitted, ApplicationState.Investigation);
        RequireBranchOfficer(actor, "investigate");
        if (Reviews.Any(r => r.ReviewerId == actor.Id) || Decisions.Any(d => d.UserId == actor.Id))
        {
            throw WorkflowRefusal.NotPermitted("You reviewed or decided on this application: you may not investigate it.");
        }

        if (relatedEmployees is not null)
        {
            var blank = relatedEmployees.Select((r, n) => (r, n)).Where(x => string.IsNullOrWhiteSpace(x.r.UserId))
                .Select(x => new FieldProblem($"relatedEmployees[{x.n}].userId", "is required.")).ToList();
            if (blank.Count > 0)
            {
                throw WorkflowRefusal.Invalid(blank);
            }

            if (relatedEmployees.Any(r => r.UserId == actor.Id))
            {
                throw WorkflowRefusal.NotPermitted("You are declared related to the borrower: you may not act on this application.");
            }
        }

        if (complete)
        {
            var problems = InvestigationRules.Check(Product, GuaranteeType, investigation);
            if (problems.Count > 0)
            {
                throw WorkflowRefusal.Invalid(problems);
            }
        }

        var detail = new Dictionary<string, object?>();
        if (relatedEmployees is not null && ChangeRelatedEmployees(relatedEmployees) is { } change)
        {
            detail["relatedEmployeesChanged"] = change;
        }

        Investigation = investigation;
        if (!Investigators.Contains(actor.Id))
        {
            Investigators.Add(actor.Id);
        }

        if (!complete)
        {
            return Record("investigation.save", actor, Role.LoanOfficer, now, policy, ApplicationState.Investigation, null, true, detail);
        }

        Terms = new LoanTerms(investigation.Amount!.Value, investigation.TermMonths!.Value, investigation.AnnualRatePercent!.Value);
        InvestigatorId = actor.Id;
        InvestigatorName = actor.Name;
        detail["amount"] = Terms.Amount.Yuan;
        detail["termMonths"] = Terms.TermMonths;
        detail["annualRatePercent"] = Terms.AnnualRatePercent;
        detail["recommendation"] = investigation.Recommendation?.Approve == true ? "approve" : "decline";
        return Record("investigation.submit", actor, Role.LoanOfficer, now, policy, ApplicationState.Review, null, true, detail);
    }

    /// <summary>
    /// Replaces the related employees with <paramref name="listed"/>, adding the new ones to
    /// <see cref="EverRelatedEmployees"/>; answers who was added and removed, or null when the user ids are the same.
    /// </summary>
    private RelatedEmployeesChange? ChangeRelatedEmployees(IReadOnlyList<RelatedEmployee> listed)
    {
        var before = RelatedEmployees.Select(r => r.UserId!).Distinct().ToList();
        var after = listed.Select(r => r.UserId!).Distinct().ToList();
        RelatedEmployees = [.. listed];
        foreach (var id in before.Concat(after).Where(id => !EverRelatedEmployees.Contains(id)))
        {
            EverRelatedEmployees.Add(id);
        }

        var added = after.Except(before).ToList();
        var removed = before.Except(after).ToList();
        return added.Count == 0 && removed.Count == 0 ? null : new RelatedEmployeesChange(before, after, added, removed);
    }

    /// <summary>Whether <paramref name="userId"/> is, or ever was, listed as related to the borrower on this application.</summary>
    public bool IsOrWasRelated(string userId) => RelatedEmployees.Any(r => r.UserId == userId) || EverRelatedEmployees.Contains(userId);

    // ---------------------------------------------------------------- review

    /// <summary>
    /// The review post's check. Passing routes the application through the authority matrix: the version it
    /// was first routed with is kept (<paramref name="matrix"/> must be that version when there is one).
    /// </summary>
    public Transition ReviewInvestigation(CreditUser actor, ReviewOutcome outcome, string? comment, AuthorityMatrix matrix, DateTimeOffset now, WorkflowPolicy policy)
    {
        RequireState("review", ApplicationState.Review);
        RequireActor(actor, Role.Reviewer, "review");
        if (Investigators.Contains(actor.Id))
        {
            throw WorkflowRefusal.NotPermitted("You investigated this application: you may not review it.");
        }

        if (actor.Id == OfficerId)
        {
            throw WorkflowRefusal.NotPermitted("You opened this application: you may not review it.");
        }

        if (Decisions.Any(d => d.UserId == actor.Id))
        {
            throw WorkflowRefusal.NotPermitted("You decided at an authorisation tier of this application: you may not review it.");
        }

        if (MatrixVersion is { } kept && kept != matrix.Version)
        {
            throw new InvalidOperationException($"Application {Id} is routed with matrix {kept}, not {matrix.Version}.");
        }

        Reviews.Add(new ReviewRecord(Round, actor.Id, actor.Name, outcome, comment, now));
        if (outcome == ReviewOutcome.Return)
        {
            RequireComment(comment, "A return to investigation needs a comment saying what to fix.");
            Round++;
            Notify("returned", OfficerId, null, $"退回补充调查 Returned for investigation: {Id}", $"{actor.Name} returned application {Id} ({Borrower.Name}) at review: {comment}");
            return Record("review.return", actor, Role.Reviewer, now, policy, ApplicationState.Investigation, comment, true, new());
        }

        var route = matrix.Route(new RouteRequest(Branch, Product, GuaranteeType, Terms.Amount, TotalExposure(), PledgedOnlyWithOwnDeposits(), IsEmployeeRelated));
        Route = route;
        MatrixVersion = route.MatrixVersion;
        CurrentTier = 0;
        return Record("review.pass", actor, Role.Reviewer, now, policy, ApplicationState.Authorisation, comment, true, new()
        {
            ["matrixVersion"] = route.MatrixVersion,
            ["tiers"] = route.Tiers.Select(t => t.ToString()).ToArray(),
            ["reasons"] = route.Reasons.ToArray(),
        });
    }

    /// <summary>The borrower's exposure here after this loan, with its associated customers' (for concentration).</summary>
    public Money TotalExposure()
    {
        var total = Terms.Amount;
        foreach (var debt in Investigation?.ExistingDebts ?? [])
        {
            if (debt.AtThisUnion == true && debt.Balance is { } balance)
            {
                total += balance;
            }
        }

        foreach (var associate in Investigation?.AssociatedCustomers ?? [])
        {
            total += associate.ExposureHere ?? Money.Zero;
        }

        return total;
    }

    public bool PledgedOnlyWithOwnDeposits() =>
        GuaranteeType == GuaranteeType.Pledge
        && Investigation?.Collateral is { Count: > 0 } items
        && items.All(c => c.Type == CollateralType.OwnCertificateOfDeposit);

    // ---------------------------------------------------------------- authorisation

    public Transition Decide(CreditUser actor, DecisionOutcome outcome, RejectionReason? reason, string? comment, string? resolutionRef, DateTimeOffset now, WorkflowPolicy policy)
    {
        RequireState("decision", ApplicationState.Authorisation);
        var tier = TierNow!.Value;
        if (tier == ApprovalTier.Committee)
        {
            throw WorkflowRefusal.WrongState("decision", State, $"At the Committee tier the loan review committee votes: POST /api/applications/{Id}/vote.");
        }

        var role = RoleFor(tier);
        RequireActor(actor, role, $"decide at the {tier} tier");
        if (Investigators.Contains(actor.Id))
        {
            throw WorkflowRefusal.NotPermitted("You investigated this application: you may not decide on it.");
        }

        if (actor.Id == OfficerId)
        {
            throw WorkflowRefusal.NotPermitted("You opened this application: you may not decide on it.");
        }

        if (Reviews.Any(r => r.ReviewerId == actor.Id))
        {
            throw WorkflowRefusal.NotPermitted("You reviewed this application: you may not decide on it.");
        }

        if (Decisions.FirstOrDefault(d => d.UserId == actor.Id && d.Tier != tier) is { } earlier)
        {
            throw WorkflowRefusal.NotPermitted($"You decided at the {earlier.Tier} tier of this application: nobody decides at two tiers.");
        }

        var detail = new Dictionary<string, object?> { ["tier"] = tier.ToString(), ["tierIndex"] = CurrentTier + 1, ["tierCount"] = Route!.Tiers.Count };
        if (resolutionRef is not null)
        {
            detail["resolutionRef"] = resolutionRef;
        }

        switch (outcome)
        {
            case DecisionOutcome.Reject:
                if (reason is null)
                {
                    throw WorkflowRefusal.Invalid("reasonCode", $"a rejection needs a reason code: one of {string.Join(", ", Enum.GetNames<RejectionReason>())}.");
                }

                if (reason == Applications.RejectionReason.Other)
                {
                    RequireComment(comment, "Reason code Other needs a comment.");
                }

                Decisions.Add(new TierDecision(Round, tier, actor.Id, actor.Name, outcome, reason, comment, resolutionRef, now));
                RejectionReason = reason;
                ClosingComment = comment;
                detail["reasonCode"] = reason.ToString();
                Notify("rejected", OfficerId, null, $"贷款申请被否决 Application rejected: {Id}", $"{actor.Name} ({tier}) rejected application {Id} ({Borrower.Name}): {reason}. {comment}");
                return Record("decision.reject", actor, role, now, policy, ApplicationState.Rejected, comment, true, detail);

            case DecisionOutcome.Return:
                RequireComment(comment, "A return to investigation needs a comment saying what to fix.");
                Decisions.Add(new TierDecision(Round, tier, actor.Id, actor.Name, outcome, null, comment, resolutionRef, now));
                Round++;
                Notify("returned", OfficerId, null, $"退回补充调查 Returned for investigation: {Id}", $"{actor.Name} ({tier}) returned application {Id} ({Borrower.Name}): {comment}");
                return Record("decision.return", actor, role, now, policy, ApplicationState.Investigation, comment, true, detail);

            default:
                Decisions.Add(new TierDecision(Round, tier, actor.Id, actor.Name, outcome, null, comment, resolutionRef, now));
                if (CurrentTier + 1 < Route.Tiers.Count)
                {
                    CurrentTier++;
                    detail["nextTier"] = Route.Tiers[CurrentTier].ToString();
                    return Record("decision.approve", actor, role, now, policy, ApplicationState.Authorisation, comment, true, detail, nextTier: true);
                }

                Responsibility = ShareResponsibility(policy.Shares);
                detail["responsibility"] = Responsibility.Select(r => $"{r.Duty}: {r.UserId} {r.SharePercent}%").ToArray();
                Notify("approved", OfficerId, null, $"贷款申请已批准 Application approved: {Id}", $"Application {Id} ({Borrower.Name}, {Terms.Amount} yuan) is approved by {string.Join(", ", CurrentApprovals().Select(d => $"{d.UserName} ({d.Tier})"))}. Please sign the contract.");
                return Record("decision.approve", actor, role, now, policy, ApplicationState.Approved, comment, true, detail);
        }
    }

    private IEnumerable<TierDecision> CurrentApprovals() =>
        Decisions.Where(d => d.Round == Round && d.Outcome == DecisionOutcome.Approve);

    private List<ResponsibilityEntry> ShareResponsibility(ResponsibilityShares shares)
    {
        var approvals = CurrentApprovals().ToList();
        var review = Reviews.Last(r => r.Round == Round && r.Outcome == ReviewOutcome.Pass);
        var entries = new List<ResponsibilityEntry>
        {
            new(Duty.Investigation, InvestigatorId!, InvestigatorName ?? InvestigatorId!, shares.Investigation),
            new(Duty.Review, review.ReviewerId, review.ReviewerName, shares.Review),
        };

        // The approval share is split evenly; what rounding leaves goes to the highest tier.
        var each = decimal.Round(shares.Approval / approvals.Count, 2, MidpointRounding.ToZero);
        for (var n = 0; n < approvals.Count; n++)
        {
            var share = n == approvals.Count - 1 ? shares.Approval - (each * (approvals.Count - 1)) : each;
            entries.Add(new(Duty.Approval, approvals[n].UserId, approvals[n].UserName, share));
        }

        entries.Add(new(Duty.PostLoanManagement, OfficerId, OfficerName, shares.PostLoanManagement));
        return entries;
    }

    // ---------------------------------------------------------------- after approval

    public Transition SignContract(CreditUser actor, string? contractNumber, DateOnly? signedOn, DateTimeOffset now, WorkflowPolicy policy)
    {
        RequireState("contract", ApplicationState.Approved);
        var role = RequireBranchOfficerOrDirector(actor, "record the contract");
        if (string.IsNullOrWhiteSpace(contractNumber) || contractNumber.Length > 64)
        {
            throw WorkflowRefusal.Invalid("contractNumber", "is required (at most 64 characters).");
        }

        if (signedOn is not { } date)
        {
            throw WorkflowRefusal.Invalid("signedOn", "is required (yyyy-MM-dd).");
        }

        if (date < DateOnly.FromDateTime(Decisions.Last().At.UtcDateTime.AddDays(-1)) || date > DateOnly.FromDateTime(now.UtcDateTime.AddDays(1)))
        {
            throw WorkflowRefusal.Invalid("signedOn", "must be between the approval and today.");
        }

        Contract = new ContractRecord(contractNumber.Trim(), date, actor.Id, now);
        return Record("contract", actor, role, now, policy, ApplicationState.Contracted, null, true, new() { ["contractNumber"] = Contract.ContractNumber });
    }

    /// <summary>
    /// Hands the contracted loan to core banking. Mortgage and pledge collateral must be registered first;
    /// <paramref name="registered"/> lists collateral items (by index) whose registration is now complete.
    /// </summary>
    public Transition HandOff(CreditUser actor, IReadOnlyList<int> registered, DateTimeOffset now, WorkflowPolicy policy)
    {
        RequireState("handoff", ApplicationState.Contracted);
        var role = RequireBranchOfficerOrDirector(actor, "hand the loan to core banking");
        var collateral = Investigation?.Collateral?.ToList() ?? [];
        foreach (var index in registered)
        {
            if (index < 0 || index >= collateral.Count)
            {
                throw WorkflowRefusal.Invalid("registeredCollateral", $"there is no collateral item {index} (the application has {collateral.Count}).");
            }

            collateral[index] = collateral[index] with { RegistrationStatus = RegistrationStatus.Registered };
        }

        if (GuaranteeType is GuaranteeType.Mortgage or GuaranteeType.Pledge)
        {
            var pending = collateral.Select((c, n) => (c, n)).Where(x => x.c.RegistrationStatus != RegistrationStatus.Registered).ToList();
            if (pending.Count > 0)
            {
                throw WorkflowRefusal.Invalid(pending.Select(x => new FieldProblem($"investigation.collateral[{x.n}].registrationStatus",
                    "must be Registered before disbursement (list the item in registeredCollateral once it is).")).ToList());
            }
        }

        Investigation = Investigation! with { Collateral = collateral };
        _effects.Add(new HandOffToCoreBanking());
        return Record("handoff", actor, role, now, policy, ApplicationState.ReadyForDisbursement, null, true, new()
        {
            ["registeredCollateral"] = registered.ToArray(),
        });
    }

    /// <summary>Core banking confirms the disbursement with the loan account it opened.</summary>
    public Transition ConfirmDisbursement(CreditUser actor, string? loanAccountNumber, Money? amount, DateOnly? disbursedOn, DateTimeOffset now, WorkflowPolicy policy)
    {
        RequireState("disbursement", ApplicationState.ReadyForDisbursement);
        RequireRole(actor, Role.CoreBanking, "confirm a disbursement");
        if (string.IsNullOrWhiteSpace(loanAccountNumber) || loanAccountNumber.Length > 64)
        {
            throw WorkflowRefusal.Invalid("loanAccountNumber", "is required (at most 64 characters).");
        }

        if (amount is not { } paid || paid <= Money.Zero || paid > Terms.Amount)
        {
            throw WorkflowRefusal.Invalid("amount", $"must be more than zero and at most the approved {Terms.Amount} yuan.");
        }

        if (disbursedOn is not { } date)
        {
            throw WorkflowRefusal.Invalid("disbursedOn", "is required (yyyy-MM-dd).");
        }

        Disbursement = new DisbursementRecord(loanAccountNumber.Trim(), paid, date, actor.Id, now);
        FirstInspectionDue = date.AddDays(policy.FirstInspectionAfterDays);
        Notify("disbursed", OfficerId, null, $"贷款已发放 Loan disbursed: {Id}", $"Application {Id} ({Borrower.Name}) was disbursed on {date:yyyy-MM-dd}: account {Disbursement.LoanAccountNumber}, {paid} yuan. The first post-loan inspection is due by {FirstInspectionDue:yyyy-MM-dd}.");
        return Record("disbursement", actor, Role.CoreBanking, now, policy, ApplicationState.Disbursed, null, true, new()
        {
            ["loanAccountNumber"] = Disbursement.LoanAccountNumber,
            ["amount"] = paid.Yuan,
            ["firstInspectionDue"] = FirstInspectionDue.Value.ToString("yyyy-MM-dd"),
        });
    }

    public Transition RecordInspection(CreditUser actor, DateOnly? inspectedOn, string? findings, DateTimeOffset now, WorkflowPolicy policy)
    {
        RequireState("inspection", ApplicationState.Disbursed);
        RequireBranchOfficer(actor, "record a post-loan inspection");
        if (FirstInspection is not null)
        {
            throw WorkflowRefusal.WrongState("inspection", State);
        }

        if (inspectedOn is not { } date || date < Disbursement!.DisbursedOn)
        {
            throw WorkflowRefusal.Invalid("inspectedOn", "is required and may not be before the disbursement.");
        }

        RequireComment(findings, "findings: say what the inspection found.", "findings");
        FirstInspection = new InspectionRecord(actor.Id, date, findings!, now);
        return Record("inspection", actor, Role.LoanOfficer, now, policy, ApplicationState.Disbursed, findings, true, new() { ["inspectedOn"] = date.ToString("yyyy-MM-dd") });
    }

    public Transition Withdraw(CreditUser actor, string? reason, DateTimeOffset now, WorkflowPolicy policy)
    {
        if (!State.IsBeforeContract())
        {
            throw WorkflowRefusal.WrongState("withdraw", State);
        }

        var role = RequireBranchOfficerOrDirector(actor, "withdraw an application");
        RequireComment(reason, "reason: say why the application is withdrawn.", "reason");
        ClosingComment = reason;
        return Record("withdraw", actor, role, now, policy, ApplicationState.Withdrawn, reason, true, new());
    }

    // ---------------------------------------------------------------- timers

    /// <summary>
    /// A durable timer fired. Answers null (and changes nothing) when the application moved on since the timer
    /// was set, or the timer already did its work; otherwise the reminder, escalation or expiry to store.
    /// </summary>
    public Transition? OnTimer(TimerKind kind, int version, DateTimeOffset now, WorkflowPolicy policy)
    {
        var system = new CreditUser(SystemActor, "CreditFlows", new HashSet<Role>(), BranchId.Headquarters);
        switch (kind)
        {
            case TimerKind.Expiry:
                if (!State.IsBeforeContract() || LastActionVersion != version)
                {
                    return null;
                }

                ClosingComment = $"No action for {policy.ExpireAfterInactivity.TotalDays:0.#} days.";
                Notify("expired", OfficerId, null, $"贷款申请已过期 Application expired: {Id}", $"Application {Id} ({Borrower.Name}) expired: {ClosingComment}");
                return Record("timer.expire", system, null, now, policy, ApplicationState.Expired, ClosingComment, false, new());

            default:
                var key = $"{kind}:{version}";
                if (State.IsTerminal() || StageVersion != version || TimersFired.Contains(key) || Awaiting(policy) is not { } awaiting)
                {
                    return null;
                }

                if (kind == TimerKind.Escalation && TierNow == ApprovalTier.Committee && CommitteeDeadline(system, now, policy) is { } closed)
                {
                    return closed;
                }

                TimersFired.Add(key);
                var due = awaiting.DueAt is { } d ? d.ToString("yyyy-MM-dd HH:mm 'UTC'") : "-";
                if (kind == TimerKind.Reminder && TierNow == ApprovalTier.Committee && Committee is { Outcome: null } vote)
                {
                    foreach (var member in vote.Members.Where(m => ConflictOf(m) is null && vote.Ballots.All(b => b.UserId != m)))
                    {
                        Notify("reminder", member, null, $"提醒 Reminder: committee vote on {Id} is due {due}",
                            $"Application {Id} ({Borrower.Name}, {Terms.Amount} yuan) waits for your vote; the deadline is {due}.");
                    }
                }
                else if (kind == TimerKind.Reminder)
                {
                    Notify("reminder", awaiting.UserId, awaiting.UserId is null ? awaiting.Role : null, $"提醒 Reminder: {Id} is due {due}",
                        $"Application {Id} ({Borrower.Name}, {Terms.Amount} yuan) waits for you at {awaiting.Stage}; the deadline is {due}.", awaiting.Branch);
                }
                else
                {
                    Notify("escalation", null, awaiting.Supervisor, $"超期 Overdue: {Id} at {awaiting.Stage}",
                        $"Application {Id} ({Borrower.Name}, {Terms.Amount} yuan) has been at {awaiting.Stage} past its deadline {due}. It waits for {(awaiting.UserId ?? awaiting.Role.ToString())}.", awaiting.Branch);
                }

                return Record(kind == TimerKind.Reminder ? "timer.reminder" : "timer.escalation", system, null, now, policy, State, null, false, new()
                {
                    ["stage"] = awaiting.Stage,
                    ["dueAt"] = awaiting.DueAt,
                });
        }
    }

    /// <summary>
    /// The timers the application's current stage has outstanding, worked out from its state: the stage's reminder and
    /// escalation (unless fired) and, before the contract, the expiry after the last action. The transitions ask for
    /// the same timers as effects; this serves an application whose log predates those effects (stored by the code
    /// before the orchestrations), whose timers were queue messages nobody reads any more.
    /// </summary>
    public IReadOnlyList<ScheduleTimer> OutstandingTimers(WorkflowPolicy policy)
    {
        var timers = new List<ScheduleTimer>();
        if (State.IsTerminal())
        {
            return timers;
        }

        if (policy.DeadlineFor(State) is { } deadline)
        {
            if (!TimersFired.Contains($"{TimerKind.Reminder}:{StageVersion}"))
            {
                timers.Add(new ScheduleTimer(TimerKind.Reminder, StageVersion, StageEnteredAt + (deadline * policy.ReminderFraction)));
            }

            if (!TimersFired.Contains($"{TimerKind.Escalation}:{StageVersion}"))
            {
                timers.Add(new ScheduleTimer(TimerKind.Escalation, StageVersion, StageEnteredAt + deadline));
            }
        }

        if (State.IsBeforeContract())
        {
            timers.Add(new ScheduleTimer(TimerKind.Expiry, LastActionVersion, LastActionAt + policy.ExpireAfterInactivity));
        }

        return timers;
    }

    /// <summary>Who must act next, and by when; null when nobody is waited for.</summary>
    public Awaiting? Awaiting(WorkflowPolicy policy)
    {
        var due = policy.DeadlineFor(State) is { } deadline ? StageEnteredAt + deadline : (DateTimeOffset?)null;
        return State switch
        {
            ApplicationState.Draft or ApplicationState.Submitted or ApplicationState.Investigation or ApplicationState.Approved or ApplicationState.Contracted =>
                new Awaiting(State.ToString(), Role.LoanOfficer, Branch, OfficerId, due, Role.BranchDirector),
            ApplicationState.Review => new Awaiting("Review", Role.Reviewer, Branch, null, due, Role.BranchDirector),
            ApplicationState.Authorisation => new Awaiting($"Authorisation:{TierNow}", RoleFor(TierNow!.Value), Branch, null, due, SupervisorOf(TierNow.Value)),
            ApplicationState.ReadyForDisbursement => new Awaiting("ReadyForDisbursement", Role.CoreBanking, Branch, null, due, Role.BranchDirector),
            ApplicationState.Disbursed when FirstInspection is null && FirstInspectionDue is { } inspection =>
                new Awaiting("PostLoanInspection", Role.LoanOfficer, Branch, OfficerId, new DateTimeOffset(inspection.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), Role.BranchDirector),
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="user"/> may act on the stage the application waits at (for task lists).</summary>
    public bool MayAct(CreditUser user, WorkflowPolicy policy) => MayAct(user, Awaiting(policy));

    /// <summary>Whether <paramref name="user"/> may act on <paramref name="awaiting"/>, the stage <see cref="Awaiting"/> gave.</summary>
    public bool MayAct(CreditUser user, Awaiting? awaiting)
    {
        if (awaiting is null || !user.CanAccess(Branch) || user.Id == Borrower.EmployeeUserId || IsOrWasRelated(user.Id))
        {
            return false;
        }

        if (awaiting.UserId is not null)
        {
            return awaiting.UserId == user.Id;
        }

        if (TierNow == ApprovalTier.Committee)
        {
            return Committee is { Outcome: null } vote && vote.Members.Contains(user.Id) && vote.Ballots.All(b => b.UserId != user.Id) && ConflictOf(user.Id) is null;
        }

        if (!user.IsInRole(awaiting.Role) || Investigators.Contains(user.Id))
        {
            return false;
        }

        return State switch
        {
            ApplicationState.Review => user.Id != OfficerId && !Decisions.Any(d => d.UserId == user.Id),
            ApplicationState.Authorisation => user.Id != OfficerId && !Reviews.Any(r => r.ReviewerId == user.Id) && !Decisions.Any(d => d.UserId == user.Id && d.Tier != TierNow),
            _ => true,
        };
    }

    public static Role RoleFor(ApprovalTier tier) => tier switch
    {
        ApprovalTier.BranchDirector => Role.BranchDirector,
        ApprovalTier.HqCreditDept => Role.HqCreditDept,
        _ => Role.CommitteeMember,
    };

    private static Role SupervisorOf(ApprovalTier tier) => tier switch
    {
        ApprovalTier.BranchDirector => Role.HqCreditDept,
        _ => Role.CommitteeChair,
    };

    // ---------------------------------------------------------------- recording

    /// <summary>
    /// Records a transition: the version moves on; a human action resets the inactivity expiry; entering a
    /// stage (a new state, or the next tier: <paramref name="nextTier"/>) sets its reminder and escalation.
    /// </summary>
    private Transition Record(string command, CreditUser actor, Role? role, DateTimeOffset now, WorkflowPolicy policy, ApplicationState to, string? comment, bool human, Dictionary<string, object?> detail, bool nextTier = false)
    {
        var from = State;
        Version++;
        State = to;
        if (human)
        {
            LastActionVersion = Version;
            LastActionAt = now;
            if (to.IsBeforeContract())
            {
                _effects.Add(new ScheduleTimer(TimerKind.Expiry, Version, now + policy.ExpireAfterInactivity));
            }
        }

        if (Version == 1 || from != to || nextTier)
        {
            StageVersion = Version;
            StageEnteredAt = now;
            TimersFired.Clear();
            if (policy.DeadlineFor(to) is { } deadline)
            {
                _effects.Add(new ScheduleTimer(TimerKind.Reminder, Version, now + (deadline * policy.ReminderFraction)));
                _effects.Add(new ScheduleTimer(TimerKind.Escalation, Version, now + deadline));
            }

            if (TierNow == ApprovalTier.Committee)
            {
                OpenCommitteeVote(policy, now);
            }
        }

        if (MatrixVersion is not null && !detail.ContainsKey("matrixVersion"))
        {
            detail["matrixVersion"] = MatrixVersion;
        }

        var transition = new Transition(Version, command, actor.Id, actor.Name, role?.ToString() ?? "System", now, from, to, comment, detail, [.. _effects]);
        _effects.Clear();
        return transition;
    }

    private void Notify(string kind, string? userId, Role? role, string subject, string text, BranchId? branch = null) =>
        _effects.Add(new Notify(kind, userId, role, role is null ? null : branch ?? Branch, subject, text));

    // ---------------------------------------------------------------- checks

    private void RequireState(string command, params ApplicationState[] allowed)
    {
        if (!allowed.Contains(State))
        {
            throw WorkflowRefusal.WrongState(command, State);
        }
    }

    private static void RequireRole(CreditUser actor, Role role, string what)
    {
        if (!actor.IsInRole(role))
        {
            throw WorkflowRefusal.NotPermitted($"Only a {role} may {what}.");
        }
    }

    /// <summary>Role, branch scope, and not the borrower or related to them.</summary>
    private void RequireActor(CreditUser actor, Role role, string what)
    {
        RequireRole(actor, role, what);
        if (!actor.CanAccess(Branch))
        {
            throw WorkflowRefusal.NotPermitted($"Branch {Branch} is outside your branch scope.");
        }

        RequireNotPersonallyInvolved(actor);
    }

    private void RequireBranchOfficer(CreditUser actor, string what) => RequireActor(actor, Role.LoanOfficer, what);

    private Role RequireBranchOfficerOrDirector(CreditUser actor, string what)
    {
        var role = actor.IsInRole(Role.LoanOfficer) ? Role.LoanOfficer : actor.IsInRole(Role.BranchDirector) ? Role.BranchDirector
            : throw WorkflowRefusal.NotPermitted($"Only a LoanOfficer or BranchDirector may {what}.");
        RequireActor(actor, role, what);
        return role;
    }

    private void RequireNotPersonallyInvolved(CreditUser actor)
    {
        if (actor.Id == Borrower.EmployeeUserId)
        {
            throw WorkflowRefusal.NotPermitted("You are the borrower: nobody acts on a loan to themselves.");
        }

        if (RelatedEmployees.Any(r => r.UserId == actor.Id))
        {
            throw WorkflowRefusal.NotPermitted("You are declared related to the borrower: you may not act on this application.");
        }

        if (IsOrWasRelated(actor.Id))
        {
            throw WorkflowRefusal.NotPermitted("You were declared related to the borrower on this application (and taken off the list since): you may not act on it.");
        }
    }

    private static void RequireComment(string? comment, string problem, string field = "comment")
    {
        if (string.IsNullOrWhiteSpace(comment))
        {
            throw WorkflowRefusal.Invalid(field, problem);
        }

        if (comment.Length > 2000)
        {
            throw WorkflowRefusal.Invalid(field, "is at most 2000 characters.");
        }
    }
}
