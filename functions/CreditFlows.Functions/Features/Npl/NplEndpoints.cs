using System.Globalization;
using System.Security.Claims;
using System.Text;
using Azure.Data.Tables;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.Features.Npl;

public sealed record NplLoanPage(IReadOnlyList<NplLoanView> Items, string? Continuation, DateOnly? AsOf);

/// <summary>
/// The NPL ledger API, branch-scoped like the rest of <c>/api</c>: the ledger (paged, filtered by branch,
/// category and flag), one loan with its history, the assignable fields (<see cref="NplPatchEndpoint"/>),
/// reclassification (<see cref="NplReclassificationEndpoints"/>), the day's summary and the day's run.
/// </summary>
public static class NplEndpoints
{
    public static RouteGroupBuilder MapNplEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/npl").WithTags("NPL");
        group.MapGet("/loans", ListAsync)
            .WithSummary("The NPL ledger in your branch scope, filtered by branch, category and flag (newNpl, litigationDue, inspectionOverdue, cured), a page at a time.")
            .Produces<NplLoanPage>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/loans/{loanId}", GetAsync)
            .WithSummary("One ledger loan with its history: daily changes, field changes and reclassifications, oldest first.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapNplPatch();
        group.MapNplReclassification();
        group.MapNplSummary();
        return api;
    }

    private static async Task<IResult> ListAsync(
        ClaimsPrincipal principal, NplStorage storage, NplRuns runs, NplThresholdsSource thresholds,
        string? branch, string? category, string? flag, string? pageSize, string? continuation, CancellationToken cancellationToken)
    {
        var user = principal.ToCreditUser();
        if (ResolveBranch(user, branch, out var scope) is { } problem)
        {
            return problem;
        }

        LoanCategory? categoryFilter = null;
        if (category is not null)
        {
            if (!LoanCategories.TryParse(category, out var c))
            {
                return ApiProblems.BadRequest("category", "must be one of Normal, SpecialMention, Substandard, Doubtful, Loss.");
            }

            categoryFilter = c;
        }

        NplFlag? flagFilter = null;
        if (flag is not null)
        {
            if (!Enum.TryParse<NplFlag>(flag, ignoreCase: true, out var f) || !Enum.IsDefined(f) || int.TryParse(flag, out _))
            {
                return ApiProblems.BadRequest("flag", "must be one of newNpl, litigationDue, inspectionOverdue, cured.");
            }

            flagFilter = f;
        }

        var size = 50;
        if (pageSize is not null && (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > 200))
        {
            return ApiProblems.BadRequest("pageSize", "must be 1 to 200.");
        }

        string? token = null;
        if (continuation is not null && !TryDecode(continuation, out token))
        {
            return ApiProblems.BadRequest("continuation", "is not a continuation token this API gave out.");
        }

        var filter = TableClient.CreateQueryFilter($"RowKey ge {NplLedgerRows.LoanPrefix} and RowKey lt {"l}"} and InNpl eq {flagFilter != NplFlag.Cured}");
        if (scope is { } b)
        {
            filter = TableClient.CreateQueryFilter($"PartitionKey eq {b.Value}") + " and " + filter;
        }

        if (categoryFilter is { } cat)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Category eq {cat.ToString()}");
        }

        var asOf = await runs.LatestCompleteAsync(cancellationToken);
        var rules = (await thresholds.TodayAsync(cancellationToken)).Rules;
        var items = new List<NplLoanView>();
        var pages = 0;
        await foreach (var page in storage.Ledger.QueryAsync<TableEntity>(filter, maxPerPage: size, cancellationToken: cancellationToken).AsPages(token, size))
        {
            items.AddRange(page.Values.Select(r => NplLedgerStore.View(r, asOf, rules)).Where(v => flagFilter is not { } f || v.Flags.Contains(f)));
            token = page.ContinuationToken;
            if (items.Count > 0 || ++pages >= 20 || token is null)
            {
                break;
            }
        }

        return Results.Ok(new NplLoanPage(items, token is null ? null : Encode(token), asOf));
    }

    private static async Task<IResult> GetAsync(
        string loanId, string? branch, ClaimsPrincipal principal, NplStorage storage, NplRuns runs, NplLedgerStore ledger, NplOverrideStore overrides,
        NplThresholdsSource thresholds, CancellationToken cancellationToken)
    {
        var user = principal.ToCreditUser();
        if (ResolveBranch(user, branch, out var scope) is { } problem)
        {
            return problem;
        }

        var branches = scope is { } s ? [s] : await ledger.KnownBranchesAsync(runs, cancellationToken);
        if (await ledger.FindAsync(loanId, branches, cancellationToken) is not { } found)
        {
            return ApiProblems.NotFound($"Loan '{loanId}' is not in the NPL ledger{(scope is { } b ? $" of branch {b}" : string.Empty)}.");
        }

        var view = NplLedgerStore.View(found.Row, await runs.LatestCompleteAsync(cancellationToken), (await thresholds.TodayAsync(cancellationToken)).Rules);
        var (manual, _) = await overrides.FindAsync(found.Branch, loanId, cancellationToken);
        var history = await ledger.HistoryAsync(found.Branch, loanId, found.Row, cancellationToken);
        return Results.Ok(new { loan = view, reclassification = manual, history });
    }

    /// <summary>The branch a query is about: the one asked for (if in scope), else the caller's own unless they see every branch (null = all).</summary>
    public static IResult? ResolveBranch(CreditUser user, string? branch, out BranchId? scope)
    {
        scope = user.SeesAllBranches ? null : user.Branch;
        if (branch is null)
        {
            return null;
        }

        if (!BranchId.TryParse(branch, out var parsed))
        {
            return ApiProblems.BadRequest("branch", "A branch id is 1-32 letters, digits or '-'.");
        }

        if (!user.CanAccess(parsed))
        {
            return ApiProblems.OutsideBranch(parsed);
        }

        scope = parsed;
        return null;
    }

    private static string Encode(string token) => Convert.ToBase64String(Encoding.UTF8.GetBytes(token)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecode(string value, out string? token)
    {
        token = null;
        try
        {
            var padded = value.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            token = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            return token.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
