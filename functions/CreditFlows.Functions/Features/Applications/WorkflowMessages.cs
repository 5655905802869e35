using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Functions.Features.Applications;

/// <summary>A durable timer of the loan orchestration that came due.</summary>
public sealed record TimerMessage(string ApplicationId, TimerKind Kind, int Version, DateTimeOffset DueAt);

/// <summary>
/// An email to send, on queue <c>notifications</c>. <see cref="NotificationId"/> makes sending idempotent.
/// <see cref="ApplicationId"/> is what the mail is about (an application, or another subject such as a report).
/// Either <see cref="UserId"/> or <see cref="Role"/> (holders in <see cref="Branch"/>, else at HQ) names the
/// recipients, or <see cref="To"/> lists addresses outright. <see cref="Attempt"/> counts earlier tries.
/// </summary>
public sealed record NotificationMessage(
    string NotificationId,
    string ApplicationId,
    string Kind,
    string? UserId,
    Role? Role,
    BranchId? Branch,
    string Subject,
    string Text,
    string? Html = null,
    IReadOnlyList<Notifications.MailAttachment>? Attachments = null,
    IReadOnlyList<string>? To = null,
    int Attempt = 0);

/// <summary>
/// What core banking needs to open the loan account and disburse, on queue <c>core-banking-handoff</c>.
/// Delivery is at least once: core banking must treat <see cref="ApplicationId"/> as the idempotency key.
/// It confirms with <c>POST /api/applications/{id}/disbursement</c>.
/// </summary>
public sealed record CoreBankingHandOff(
    string ApplicationId,
    BranchId Branch,
    Borrower Borrower,
    Product Product,
    GuaranteeType GuaranteeType,
    Money Amount,
    int TermMonths,
    decimal AnnualRatePercent,
    string Purpose,
    string ContractNumber,
    DateOnly ContractSignedOn,
    IReadOnlyList<CollateralItem> Collateral,
    IReadOnlyList<Guarantor> Guarantors,
    string LoanOfficerId,
    IReadOnlyList<string> ApprovedBy,
    string MatrixVersion,
    DateTimeOffset HandedOffAt)
{
    public static CoreBankingHandOff From(LoanApplication a, DateTimeOffset now) => new(
        a.Id, a.Branch, a.Borrower, a.Product, a.GuaranteeType, a.Terms.Amount, a.Terms.TermMonths, a.Terms.AnnualRatePercent, a.Purpose,
        a.Contract!.ContractNumber, a.Contract.SignedOn, a.Investigation?.Collateral ?? [], a.Investigation?.Guarantors ?? [], a.OfficerId,
        a.Decisions.Where(d => d.Round == a.Round && d.Outcome == DecisionOutcome.Approve).Select(d => $"{d.Tier}:{d.UserId}").ToList(),
        a.MatrixVersion ?? string.Empty, now);
}
