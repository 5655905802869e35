using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>The assignable fields of a ledger loan; a field left out is unchanged.</summary>
public sealed record NplLoanPatch(
    string? CollectionOfficerId,
    Recoverability? Recoverability,
    string? CollectionPlan,
    DateOnly? NextActionOn,
    DateOnly? LastInspectionOn,
    LitigationStatus? Litigation);

/// <summary>
/// <c>PATCH /api/npl/loans/{loanId}</c>: a RiskManager assigns the collection officer and the recoverability; a
/// RiskManager or loan officer of the branch records the collection plan, next action, last inspection and
/// litigation. The change and its audit row (who, when, each field from → to) commit in one transaction, on the
/// row's ETag (<c>If-Match</c>, optional): a concurrent change gets 412.
/// </summary>
public static class NplPatchEndpoint
{
    public static void MapNplPatch(this RouteGroupBuilder group) =>
        group.MapPatch("/loans/{loanId}", PatchAsync)
            .RequireRoles(Role.RiskManager, Role.LoanOfficer)
            .WithSummary("Set a ledger loan's assignable fields (collection officer and recoverability: RiskManager), audited.")
            .Accepts<NplLoanPatch>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);

    private static async Task<IResult> PatchAsync(
        string loanId, string? branch, HttpContext http, NplStorage storage, NplRuns runs, NplLedgerStore ledger, BusinessClock clock,
        NplThresholdsSource thresholds, NplLedgerExport export, CancellationToken cancellationToken)
    {
        var user = http.User.ToCreditUser();
        var (patch, problem) = await JsonBody.ReadAsync<NplLoanPatch>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (NplEndpoints.ResolveBranch(user, branch, out var scope) is { } branchProblem)
        {
            return branchProblem;
        }

        var fields = new Dictionary<string, object?>();
        if (patch!.CollectionOfficerId is { } officer)
        {
            if (officer.Trim().Length is 0 or > 128)
            {
                return ApiProblems.BadRequest("collectionOfficerId", "is a user id (1-128 characters).");
            }

            fields["CollectionOfficerId"] = officer.Trim();
        }

        if (patch.Recoverability is { } r)
        {
            fields["Recoverability"] = r.ToString();
        }

        if (patch.CollectionPlan is { } plan)
        {
            if (plan.Length > 2000)
            {
                return ApiProblems.BadRequest("collectionPlan", "is at most 2000 characters.");
            }

            fields["CollectionPlan"] = plan;
        }

        if (patch.NextActionOn is { } next)
        {
            fields["NextActionOn"] = NplLedgerRows.Date(next);
        }

        if (patch.LastInspectionOn is { } inspected)
        {
            if (inspected > clock.Today)
            {
                return ApiProblems.BadRequest("lastInspectionOn", "cannot be in the future.");
            }

            fields["LastInspectionOn"] = NplLedgerRows.Date(inspected);
        }

        if (patch.Litigation is { } litigation)
        {
            fields["Litigation"] = litigation.ToString();
        }

        if (fields.Count == 0)
        {
            return ApiProblems.BadRequest("body", "Name at least one of collectionOfficerId, recoverability, collectionPlan, nextActionOn, lastInspectionOn, litigation.");
        }

        if (!user.IsInRole(Role.RiskManager) && (fields.ContainsKey("CollectionOfficerId") || fields.ContainsKey("Recoverability")))
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed",
                detail: "Only a RiskManager assigns the collection officer and the recoverability.");
        }

        var branches = scope is { } s ? [s] : await ledger.KnownBranchesAsync(runs, cancellationToken);
        if (await ledger.FindAsync(loanId, branches, cancellationToken) is not { } found)
        {
            return ApiProblems.NotFound($"Loan '{loanId}' is not in the NPL ledger.");
        }

        var etag = found.Row.ETag;
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (!string.IsNullOrEmpty(ifMatch) && ifMatch != "*")
        {
            if (ifMatch != etag.ToString())
            {
                return Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Changed meanwhile",
                    detail: "The loan changed since you read it: read it again (its etag) and repeat.");
            }
        }

        var changes = fields.ToDictionary(f => char.ToLowerInvariant(f.Key[0]) + f.Key[1..],
            f => new { from = found.Row.TryGetValue(f.Key, out var old) ? old : null, to = f.Value });
        var update = new TableEntity(found.Branch.Value, found.Row.RowKey);
        foreach (var (key, value) in fields)
        {
            update[key] = value;
        }

        update["UpdatedBy"] = user.Id;
        update["UpdatedAt"] = clock.Now;
        var audit = NplLedgerRows.Audit(found.Branch.Value, loanId, clock.Now, "patch", user.Id, changes);
        await export.MarkEditedAsync(found.Branch.Value, loanId, cancellationToken); // before the change, so a report that reads the day's export reads this row again
        try
        {
            await storage.Ledger.SubmitTransactionAsync(
                [new TableTransactionAction(TableTransactionActionType.UpdateMerge, update, etag), new TableTransactionAction(TableTransactionActionType.Add, audit)],
                cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 412 or 409)
        {
            return Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Changed meanwhile",
                detail: "The loan changed while your change was being saved: read it again and repeat.");
        }

        var row = await storage.Ledger.GetEntityAsync<TableEntity>(found.Branch.Value, found.Row.RowKey, cancellationToken: cancellationToken);
        var view = NplLedgerStore.View(row.Value, await runs.LatestCompleteAsync(cancellationToken), (await thresholds.TodayAsync(cancellationToken)).Rules);
        http.Response.Headers.ETag = view.ETag;
        return Results.Ok(view);
    }
}
