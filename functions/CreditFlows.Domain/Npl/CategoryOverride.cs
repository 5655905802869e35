using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Npl;

public enum OverrideStatus
{
    /// <summary>A downgrade (to the rule's category or worse): applies without approval.</summary>
    Effective = 1,

    /// <summary>An upgrade past the rule, or out of NPL: waits for a RiskManager.</summary>
    Pending = 2,

    /// <summary>A RiskManager approved it: it applies while the loan's rule category is no worse than <see cref="CategoryOverride.Basis"/>.</summary>
    Approved = 3,
}

/// <summary>One manual classification: the category asked for, why, by whom, and its approval.</summary>
public sealed record CategoryOverride(
    LoanCategory Category,
    string Reason,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    OverrideStatus Status,
    string? ApprovedBy = null,
    DateTimeOffset? ApprovedAt = null,
    LoanCategory? Basis = null);

/// <summary>
/// A loan's manual classification: the override that applies (<see cref="Active"/>) and a request waiting
/// for a RiskManager (<see cref="Pending"/>). A pending request never displaces the active one, so asking to
/// move a loan out of NPL leaves it in NPL until approved. Overrides persist across days.
/// </summary>
public sealed record LoanOverride(string LoanId, BranchId Branch, CategoryOverride? Active, CategoryOverride? Pending)
{
    public const int MaxReasonLength = 500;

    /// <summary>
    /// A loan officer or RiskManager asks for <paramref name="requested"/>. It takes effect at once when it is
    /// a downgrade: no better than the rule's category and not moving the loan out of NPL. Otherwise it waits for
    /// a RiskManager's approval. <paramref name="knownRule"/> and <paramref name="knownCategory"/> are the
    /// loan's latest rule and final categories when the ledger knows the loan; a loan it does not know is not
    /// NPL, and its rule category is taken as special mention (so asking for normal waits for approval).
    /// </summary>
    public static LoanOverride Request(
        LoanOverride? current, string loanId, BranchId branch, CreditUser user, LoanCategory requested, string? reason,
        LoanCategory? knownRule, LoanCategory? knownCategory, DateTimeOffset now)
    {
        if (!user.IsInRole(Role.LoanOfficer) && !user.IsInRole(Role.RiskManager))
        {
            throw NplRefusal.NotPermitted("Only a LoanOfficer or a RiskManager may reclassify a loan.");
        }

        if (!user.CanAccess(branch))
        {
            throw NplRefusal.NotPermitted($"Branch {branch} is outside your branch scope.");
        }

        if (!Enum.IsDefined(requested))
        {
            throw NplRefusal.Invalid("category", "must be one of Normal, SpecialMention, Substandard, Doubtful, Loss.");
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > MaxReasonLength)
        {
            throw NplRefusal.Invalid("reason", $"is required (1-{MaxReasonLength} characters).");
        }

        var rule = knownRule ?? LoanCategory.SpecialMention;
        var category = knownCategory ?? rule;
        var downgrade = requested >= rule && !(category.IsNpl() && !requested.IsNpl());
        var entry = new CategoryOverride(requested, reason.Trim(), user.Id, now, downgrade ? OverrideStatus.Effective : OverrideStatus.Pending);
        return downgrade
            ? new LoanOverride(loanId, branch, entry, current?.Pending)
            : new LoanOverride(loanId, branch, current?.Active, entry);
    }

    /// <summary>A RiskManager, other than the requester, approves the pending request; it becomes the active override.</summary>
    public LoanOverride Approve(CreditUser user, DateTimeOffset now)
    {
        var pending = RequirePending(user);
        return this with { Active = pending with { Status = OverrideStatus.Approved, ApprovedBy = user.Id, ApprovedAt = now }, Pending = null };
    }

    /// <summary>A RiskManager, other than the requester, rejects the pending request; the active override stays.</summary>
    public LoanOverride Reject(CreditUser user)
    {
        RequirePending(user);
        return this with { Pending = null };
    }

    /// <summary>
    /// The loan's final category given the rule's. An effective downgrade gives the worse of the two. An
    /// approved upgrade holds while the rule's category is no worse than its basis (the rule's category on the
    /// first day it applied, recorded then); once the loan deteriorates past it, the override lapses (it is removed) and the rule applies.
    /// </summary>
    public LoanCategory Apply(LoanCategory rule, out LoanOverride updated)
    {
        updated = this;
        switch (Active)
        {
            case { Status: OverrideStatus.Effective } down:
                return LoanCategories.Worst(rule, down.Category);
            case { Status: OverrideStatus.Approved, Basis: null } up:
                updated = this with { Active = up with { Basis = rule } };
                return up.Category;
            case { Status: OverrideStatus.Approved, Basis: { } basis } up when rule > basis:
                updated = this with { Active = null };
                return rule;
            case { Status: OverrideStatus.Approved } up:
                return up.Category;
            default:
                return rule;
        }
    }

    private CategoryOverride RequirePending(CreditUser user)
    {
        if (!user.IsInRole(Role.RiskManager))
        {
            throw NplRefusal.NotPermitted("Only a RiskManager may approve or reject a reclassification.");
        }

        if (!user.CanAccess(Branch))
        {
            throw NplRefusal.NotPermitted($"Branch {Branch} is outside your branch scope.");
        }

        if (Pending is not { } pending)
        {
            throw NplRefusal.Conflict($"Loan {LoanId} has no reclassification waiting for approval.");
        }

        if (pending.RequestedBy == user.Id)
        {
            throw NplRefusal.NotPermitted("The person who asked for a reclassification may not approve it.");
        }

        return pending;
    }
}
