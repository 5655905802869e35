using System.Security.Claims;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.Features.Npl;

public sealed record ReclassificationRequest(LoanCategory? Category, string? Reason, string? Branch);

public sealed record ReclassificationDecision(string? Comment);

/// <summary>
/// Manual classification: <c>POST /api/npl/loans/{loanId}/reclassification</c> (LoanOfficer or RiskManager) asks
/// for a category with a reason. A downgrade applies from the next daily run; an upgrade past the rule or out of
/// NPL waits for <c>…/reclassification/approve</c> (or <c>reject</c>) by a RiskManager other than the requester.
/// Every step is an audit row in the loan's history, committed with the change.
/// </summary>
public static class NplReclassificationEndpoints
{
    public static void MapNplReclassification(this RouteGroupBuilder group)
    {
        group.MapPost("/loans/{loanId}/reclassification", RequestAsync)
            .RequireRoles(Role.LoanOfficer, Role.RiskManager)
            .WithSummary("Ask for a loan's category, with a reason: a downgrade applies at once; an upgrade past the rule or out of NPL waits for a RiskManager.")
            .Accepts<ReclassificationRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapPost("/loans/{loanId}/reclassification/approve", (string loanId, string? branch, HttpContext http, NplOverrideStore store, NplLedgerStore ledger, NplRuns runs, BusinessClock clock, CancellationToken ct) =>
                DecideAsync(loanId, branch, http, store, ledger, runs, clock, approve: true, ct))
            .RequireRoles(Role.RiskManager)
            .WithSummary("Approve the waiting reclassification (a RiskManager other than the requester).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/loans/{loanId}/reclassification/reject", (string loanId, string? branch, HttpContext http, NplOverrideStore store, NplLedgerStore ledger, NplRuns runs, BusinessClock clock, CancellationToken ct) =>
                DecideAsync(loanId, branch, http, store, ledger, runs, clock, approve: false, ct))
            .RequireRoles(Role.RiskManager)
            .WithSummary("Reject the waiting reclassification; the category in force stays.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> RequestAsync(
        string loanId, HttpContext http, NplOverrideStore store, NplLedgerStore ledger, NplRuns runs, BusinessClock clock, CancellationToken cancellationToken)
    {
        var user = http.User.ToCreditUser();
        var (body, problem) = await JsonBody.ReadAsync<ReclassificationRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Category is not { } category)
        {
            return ApiProblems.BadRequest("category", "is required: one of Normal, SpecialMention, Substandard, Doubtful, Loss.");
        }

        if (loanId.Length > ExtractParser.MaxIdLength || loanId.Any(c => c is '/' or '\\' or '#' or '?' or '|' || char.IsControl(c)))
        {
            return ApiProblems.BadRequest("loanId", "is not a loan id.");
        }

        if (NplEndpoints.ResolveBranch(user, body.Branch, out var scope) is { } branchProblem)
        {
            return branchProblem;
        }

        var branches = scope is { } s ? [s] : await ledger.KnownBranchesAsync(runs, cancellationToken);
        var found = await ledger.FindAsync(loanId, branches, cancellationToken);
        var branch = found?.Branch ?? scope;
        if (branch is not { } b)
        {
            return ApiProblems.BadRequest("branch", "is required for a loan that is not in the NPL ledger.");
        }

        LoanCategory? rule = found is { } f ? Enum.Parse<LoanCategory>(f.Row.GetString("RuleCategory")) : null;
        LoanCategory? current = found is { } g ? Enum.Parse<LoanCategory>(g.Row.GetString("Category")) : null;
        var (existing, etag) = await store.FindAsync(b, loanId, cancellationToken);
        var now = clock.Now;
        try
        {
            var updated = LoanOverride.Request(existing, loanId, b, user, category, body.Reason, rule, current, now);
            var waiting = updated.Pending is { } p && p.RequestedAt == now && p.RequestedBy == user.Id;
            var audit = NplLedgerRows.Audit(b.Value, loanId, now, "reclassification-requested", user.Id,
                new { category, reason = body.Reason!.Trim(), status = waiting ? OverrideStatus.Pending : OverrideStatus.Effective, ruleCategory = rule, from = current });
            await store.SaveAsync(updated, existing is null ? null : etag, audit, cancellationToken);
            return Results.Ok(new { loanId, branch = b.Value, reclassification = updated, waitsForApproval = waiting });
        }
        catch (NplRefusal refusal)
        {
            return Problem(refusal);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            return Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Changed meanwhile", detail: "The loan's classification changed meanwhile: read it again and repeat.");
        }
    }

    private static async Task<IResult> DecideAsync(
        string loanId, string? branch, HttpContext http, NplOverrideStore store, NplLedgerStore ledger, NplRuns runs, BusinessClock clock, bool approve, CancellationToken cancellationToken)
    {
        var user = http.User.ToCreditUser();
        if (NplEndpoints.ResolveBranch(user, branch, out var scope) is { } branchProblem)
        {
            return branchProblem;
        }

        var branches = scope is { } s ? [s] : await ledger.KnownBranchesAsync(runs, cancellationToken);
        LoanOverride? existing = null;
        ETag etag = default;
        foreach (var b in branches)
        {
            (existing, etag) = await store.FindAsync(b, loanId, cancellationToken);
            if (existing is not null)
            {
                break;
            }
        }

        if (existing is null)
        {
            return ApiProblems.NotFound($"Loan '{loanId}' has no reclassification{(scope is { } sc ? $" in branch {sc}" : string.Empty)}.");
        }

        try
        {
            var updated = approve ? existing.Approve(user, clock.Now) : existing.Reject(user);
            var audit = NplLedgerRows.Audit(existing.Branch.Value, loanId, clock.Now, approve ? "reclassification-approved" : "reclassification-rejected", user.Id,
                new { request = existing.Pending });
            await store.SaveAsync(updated, etag, audit, cancellationToken);
            return Results.Ok(new { loanId, branch = existing.Branch.Value, reclassification = updated });
        }
        catch (NplRefusal refusal)
        {
            return Problem(refusal);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Changed meanwhile", detail: "The reclassification changed meanwhile: read it again.");
        }
    }

    public static IResult Problem(NplRefusal refusal) => refusal.Kind switch
    {
        NplRefusal.Kinds.Invalid => ApiProblems.BadRequest(refusal.Field ?? "body", refusal.Message),
        NplRefusal.Kinds.Conflict => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Nothing to decide", detail: refusal.Message),
        _ => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: refusal.Message),
    };
}
