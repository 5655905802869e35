using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.Features.Applications;

/// <summary>
/// The loan application API. Every POST takes an optional <c>Idempotency-Key</c> (a repeat answers the first
/// result, header <c>Idempotent-Replayed: true</c>) and commands take an optional <c>If-Match</c> with the
/// version the caller saw (the <c>ETag</c> of the GET). Bodies are read strictly: an unknown field, a wrong
/// type or an unknown name is a 400 naming the field.
/// </summary>
public static class ApplicationEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    private static readonly JsonSerializerOptions StrictJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
    };

    public static RouteGroupBuilder MapApplicationEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/applications").WithTags("Applications");

        group.MapPost("/", OpenAsync)
            .RequireRoles(Role.LoanOfficer)
            .WithSummary("Open a loan application (Draft).")
            .Accepts<OpenRequest>("application/json")
            .Produces<ApplicationView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/", ListAsync)
            .WithSummary("Applications in your branch scope, filtered by branch, state and officer, a page at a time.")
            .Produces<ApplicationPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/{id}", GetAsync)
            .WithSummary("One application; its ETag is the version to send as If-Match.")
            .Produces<ApplicationView>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id}/history", HistoryAsync)
            .WithSummary("The application's event log, oldest first: who did what, when, from which state to which.")
            .Produces<IReadOnlyList<ApplicationEvent>>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        Command<EmptyRequest>(group, "submit", "Submit a draft (LoanOfficer).", false,
            (a, u, _, _, now, p) => a.Submit(u, now, p));
        Command<InvestigationRequest>(group, "investigation", "Save the pre-loan investigation; with submit=true, send it to review (LoanOfficer).", false,
            (a, u, b, _, now, p) => a.Investigate(u, b.Investigation ?? throw WorkflowRefusal.Invalid("investigation", "is required."), b.RelatedEmployees, b.Submit, now, p));
        Command<ReviewRequest>(group, "review", "Pass the investigation to authorisation, or return it (Reviewer).", true,
            (a, u, b, m, now, p) => a.ReviewInvestigation(u, b.Outcome ?? throw Required("outcome", typeof(ReviewOutcome)), b.Comment, m!, now, p));
        Command<DecisionRequest>(group, "decision", "Approve, reject (with a reason code) or return at the current tier.", false,
            (a, u, b, _, now, p) => a.Decide(u, b.Outcome ?? throw Required("outcome", typeof(DecisionOutcome)), b.ReasonCode, b.Comment, b.ResolutionRef, now, p));
        Command<VoteRequest>(group, "vote", "A loan review committee member's vote at the Committee tier, with an opinion; the chair may veto an approval.", false,
            (a, u, b, _, now, p) => a.Vote(u, b.Vote, b.Opinion, now, p));
        Command<ContractRequest>(group, "contract", "Record the signed contract (LoanOfficer or BranchDirector).", false,
            (a, u, b, _, now, p) => a.SignContract(u, b.ContractNumber, b.SignedOn, now, p));
        Command<HandOffRequest>(group, "handoff", "Hand the contracted loan to core banking for disbursement (LoanOfficer or BranchDirector).", false,
            (a, u, b, _, now, p) => a.HandOff(u, b.RegisteredCollateral ?? [], now, p));
        Command<DisbursementRequest>(group, "disbursement", "Core banking confirms the disbursement with the loan account number (CoreBanking).", false,
            (a, u, b, _, now, p) => a.ConfirmDisbursement(u, b.LoanAccountNumber, b.Amount, b.DisbursedOn, now, p));
        Command<WithdrawRequest>(group, "withdraw", "Withdraw the application before a contract is signed (LoanOfficer or BranchDirector).", false,
            (a, u, b, _, now, p) => a.Withdraw(u, b.Reason, now, p));
        Command<InspectionRequest>(group, "inspection", "Record the first post-loan inspection (LoanOfficer).", false,
            (a, u, b, _, now, p) => a.RecordInspection(u, b.InspectedOn, b.Findings, now, p));

        api.MapGet("/tasks", TasksAsync)
            .WithTags("Tasks")
            .WithSummary("Your work: what waits for you, your role and your branch scope, soonest due first.")
            .Produces<IReadOnlyList<WorkItem>>();
        return api;
    }

    private static async Task<IResult> OpenAsync(HttpContext http, WorkflowService workflow, CancellationToken cancellationToken)
    {
        var user = http.User.ToCreditUser();
        var (body, raw, problem) = await ReadAsync<OpenRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (ReadKey(http.Request, user, out var key) is { } keyProblem)
        {
            return keyProblem;
        }

        var problems = new List<FieldProblem>();
        BranchId branch = user.Branch;
        if (body!.Branch is not null && !BranchId.TryParse(body.Branch, out branch))
        {
            problems.Add(new("branch", "A branch id is 1-32 letters, digits or '-'."));
        }

        ApplicationRules.CheckOpening(body.Borrower, body.Product, body.GuaranteeType, body.Amount, body.TermMonths, body.AnnualRatePercent, body.Purpose, problems);
        var related = body.RelatedEmployees ?? [];
        for (var n = 0; n < related.Count; n++)
        {
            if (string.IsNullOrWhiteSpace(related[n].UserId))
            {
                problems.Add(new($"relatedEmployees[{n}].userId", "is required."));
            }
        }

        if (problems.Count > 0)
        {
            return Problem(WorkflowRefusal.Invalid(problems));
        }

        try
        {
            var terms = new LoanTerms(body.Amount!.Value, body.TermMonths!.Value, body.AnnualRatePercent!.Value);
            var request = new OpenApplication(branch, body.Borrower!, body.Product!.Value, body.GuaranteeType!.Value, terms, body.Purpose!, related);
            var outcome = await workflow.OpenAsync(user, request, key, WorkflowService.RequestHash("open", raw), cancellationToken);
            return ToResult(outcome, http, created: true);
        }
        catch (WorkflowRefusal refusal)
        {
            return Problem(refusal);
        }
    }

    private static RouteHandlerBuilder Command<TBody>(
        RouteGroupBuilder group,
        string name,
        string summary,
        bool needsMatrix,
        Func<LoanApplication, CreditUser, TBody, AuthorityMatrix?, DateTimeOffset, WorkflowPolicy, Transition> apply)
        where TBody : notnull =>
        group.MapPost($"/{{id}}/{name}", async (string id, HttpContext http, WorkflowService workflow, CancellationToken cancellationToken) =>
            {
                var user = http.User.ToCreditUser();
                var (body, raw, problem) = await ReadAsync<TBody>(http.Request, cancellationToken);
                if (problem is not null)
                {
                    return problem;
                }

                if (ReadKey(http.Request, user, out var key) is { } keyProblem)
                {
                    return keyProblem;
                }

                if (ReadIfMatch(http.Request, out var ifMatch) is { } matchProblem)
                {
                    return matchProblem;
                }

                try
                {
                    var outcome = await workflow.ExecuteAsync(id, name, user, key, WorkflowService.RequestHash(name, raw), ifMatch,
                        (application, matrix, now) => apply(application, user, body!, matrix, now, workflow.Policy), needsMatrix, cancellationToken);
                    return ToResult(outcome, http, created: false, id);
                }
                catch (WorkflowRefusal refusal)
                {
                    return Problem(refusal);
                }
            })
            .WithName($"Application_{name}")
            .WithSummary(summary)
            .Accepts<TBody>("application/json")
            .Produces<ApplicationView>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    private static async Task<IResult> GetAsync(string id, ClaimsPrincipal principal, ApplicationStore store, WorkflowService workflow, Workflow.WorkflowSignals signals, HttpContext http, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is not { } stored)
        {
            return ApiProblems.NotFound($"There is no application '{id}'.");
        }

        if (!principal.ToCreditUser().CanAccess(stored.Application.Branch))
        {
            return ApiProblems.OutsideBranch(stored.Application.Branch);
        }

        http.Response.Headers.ETag = VersionTag(stored.Application.Version);
        var view = JsonNode.Parse(workflow.View(stored.Application))!.AsObject();
        view["orchestration"] = JsonSerializer.SerializeToNode(await signals.StatusAsync(id, cancellationToken), ApplicationStore.Json);
        return Results.Text(view.ToJsonString(), "application/json");
    }

    private static async Task<IResult> HistoryAsync(string id, ClaimsPrincipal principal, ApplicationStore store, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is not { } stored)
        {
            return ApiProblems.NotFound($"There is no application '{id}'.");
        }

        if (!principal.ToCreditUser().CanAccess(stored.Application.Branch))
        {
            return ApiProblems.OutsideBranch(stored.Application.Branch);
        }

        return Results.Ok(await store.HistoryAsync(id, cancellationToken));
    }

    private static async Task<IResult> ListAsync(
        ClaimsPrincipal principal,
        ApplicationStore store,
        WorkflowPolicy policy,
        string? branch,
        string? state,
        string? officer,
        string? pageSize,
        string? continuation,
        CancellationToken cancellationToken)
    {
        var user = principal.ToCreditUser();
        BranchId? branchId = user.SeesAllBranches ? null : user.Branch;
        if (branch is not null)
        {
            if (!BranchId.TryParse(branch, out var parsed))
            {
                return ApiProblems.BadRequest("branch", "A branch id is 1-32 letters, digits or '-'.");
            }

            if (!user.CanAccess(parsed))
            {
                return ApiProblems.OutsideBranch(parsed);
            }

            branchId = parsed;
        }

        ApplicationState? stateFilter = null;
        if (state is not null)
        {
            if (!Enum.TryParse<ApplicationState>(state, ignoreCase: true, out var s) || !Enum.IsDefined(s) || int.TryParse(state, out _))
            {
                return ApiProblems.BadRequest("state", $"must be one of {string.Join(", ", Enum.GetNames<ApplicationState>())}.");
            }

            stateFilter = s;
        }

        var size = 20;
        if (pageSize is not null && (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > 100))
        {
            return ApiProblems.BadRequest("pageSize", "must be 1 to 100.");
        }

        if (officer is not null && (officer.Length is 0 or > 128))
        {
            return ApiProblems.BadRequest("officer", "is a user id (1-128 characters).");
        }

        string? token = null;
        if (continuation is not null && !TryDecodeContinuation(continuation, out token))
        {
            return ApiProblems.BadRequest("continuation", "is not a continuation token this API gave out.");
        }

        var (items, next) = await store.ListAsync(branchId, stateFilter, officer, size, token, cancellationToken);
        return Results.Ok(new ApplicationPage(items.Select(a => ApplicationSummary.From(a, policy)).ToList(), next is null ? null : EncodeContinuation(next)));
    }

    private static async Task<IResult> TasksAsync(ClaimsPrincipal principal, ApplicationStore store, WorkflowPolicy policy, TimeProvider time, CancellationToken cancellationToken)
    {
        const int MaxItems = 200;
        var user = principal.ToCreditUser();
        var now = time.GetUtcNow();
        var items = new List<WorkItem>();
        await foreach (var application in store.WaitingAsync(user.SeesAllBranches ? null : user.Branch, cancellationToken))
        {
            if (application.Awaiting(policy) is { } awaiting && application.MayAct(user, awaiting))
            {
                items.Add(new WorkItem(application.Id, application.Branch, awaiting.Stage, application.TierNow == ApprovalTier.Committee ? "vote" : ActionFor(application.State), awaiting.Role,
                    application.Borrower.Name, application.Terms.Amount, awaiting.DueAt, awaiting.DueAt < now));
            }
        }

        return Results.Ok(items.OrderBy(i => i.DueAt ?? DateTimeOffset.MaxValue).ThenBy(i => i.ApplicationId, StringComparer.Ordinal).Take(MaxItems).ToList());
    }

    private static string ActionFor(ApplicationState state) => state switch
    {
        ApplicationState.Draft => "submit",
        ApplicationState.Submitted or ApplicationState.Investigation => "investigation",
        ApplicationState.Review => "review",
        ApplicationState.Authorisation => "decision",
        ApplicationState.Approved => "contract",
        ApplicationState.Contracted => "handoff",
        ApplicationState.ReadyForDisbursement => "disbursement",
        _ => "inspection",
    };

    // ---------------------------------------------------------------- reading requests

    private static async Task<(T? Body, string Raw, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var raw = await reader.ReadToEndAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return typeof(T) == typeof(EmptyRequest)
                ? ((T)(object)new EmptyRequest(), string.Empty, null)
                : (default, raw, ApiProblems.BadRequest("body", "A JSON body is required."));
        }

        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (default, raw, Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send the body as application/json."));
        }

        try
        {
            var body = JsonSerializer.Deserialize<T>(raw, StrictJson);
            return body is null ? (default, raw, ApiProblems.BadRequest("body", "A JSON object is required.")) : (body, raw, null);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path[2..] : "body";
            var detail = ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "is not a field of this request."
                : ex.Message.Contains("yuan", StringComparison.Ordinal) ? ex.Message.Split(" Path:")[0]
                : ex.Path is null or "$" ? "is not valid JSON."
                : "has a value of the wrong type, or a name that is not one of the allowed values.";
            return (default, raw, ApiProblems.BadRequest(field, detail));
        }
    }

    private static IResult? ReadKey(HttpRequest request, CreditUser user, out IdempotencyKey? key)
    {
        key = null;
        if (!request.Headers.TryGetValue(IdempotencyKeyHeader, out var values))
        {
            return null;
        }

        var value = values.ToString();
        if (value.Length is 0 or > 128 || value.Any(c => c is < '!' or > '~'))
        {
            return ApiProblems.BadRequest(IdempotencyKeyHeader, "must be 1-128 visible ASCII characters (a UUID is a good choice).");
        }

        key = new IdempotencyKey(user.Id, value);
        return null;
    }

    private static IResult? ReadIfMatch(HttpRequest request, out int? version)
    {
        version = null;
        var value = request.Headers.IfMatch.ToString();
        if (string.IsNullOrEmpty(value) || value == "*")
        {
            return null;
        }

        var trimmed = value.StartsWith("W/", StringComparison.Ordinal) ? value[2..] : value;
        if (trimmed.Length < 3 || trimmed[0] != '"' || trimmed[^1] != '"' || !int.TryParse(trimmed[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var v))
        {
            return ApiProblems.BadRequest("If-Match", "must be the ETag of the application as GET gave it, e.g. \"7\".");
        }

        version = v;
        return null;
    }

    private static string EncodeContinuation(string token) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(token)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecodeContinuation(string value, out string? token)
    {
        token = null;
        try
        {
            var padded = value.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            token = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            return token.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // ---------------------------------------------------------------- answers

    private static string VersionTag(int version) => $"\"{version}\"";

    private static IResult ToResult(CommandOutcome outcome, HttpContext http, bool created, string? id = null)
    {
        switch (outcome.Kind)
        {
            case OutcomeKind.Done:
                http.Response.Headers.ETag = VersionTag(outcome.Version);
                if (outcome.Replayed)
                {
                    http.Response.Headers[ReplayedHeader] = "true";
                }

                if (created)
                {
                    http.Response.Headers.Location = $"/api/applications/{outcome.Id}";
                }

                return Results.Text(outcome.Body, "application/json", statusCode: outcome.Status);

            case OutcomeKind.NotFound:
                return ApiProblems.NotFound($"There is no application '{id}'.");

            case OutcomeKind.StaleVersion:
                return Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Stale version",
                    detail: $"If-Match names an older version; the application is now at version {outcome.Current!.Version} ({outcome.Current.State}). Read it again.",
                    extensions: new Dictionary<string, object?> { ["currentState"] = outcome.Current.State.ToString(), ["currentVersion"] = outcome.Current.Version });

            case OutcomeKind.KeyReused:
                return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                    detail: $"{IdempotencyKeyHeader}: this key was used before for a different request. Use a new key for a new request.",
                    extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [IdempotencyKeyHeader] = ["was used for a different request."] } });

            default:
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Changed meanwhile",
                    detail: outcome.Current is { } current
                        ? $"Another command changed the application first; it is now {current.State} (version {current.Version}). Nothing was written for yours."
                        : "Another command got there first. Nothing was written for yours.",
                    extensions: outcome.Current is { } c
                        ? new Dictionary<string, object?> { ["currentState"] = c.State.ToString(), ["currentVersion"] = c.Version }
                        : null);
        }
    }

    private static IResult Problem(WorkflowRefusal refusal) => refusal.Kind switch
    {
        RefusalKind.Invalid => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid input", detail: refusal.Message,
            extensions: new Dictionary<string, object?> { ["errors"] = refusal.Fields }),
        RefusalKind.WrongState => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not in this state", detail: refusal.Message,
            extensions: new Dictionary<string, object?> { ["currentState"] = refusal.CurrentState?.ToString() }),
        _ => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: refusal.Message),
    };

    private static WorkflowRefusal Required(string field, Type enumType) =>
        WorkflowRefusal.Invalid(field, $"is required: one of {string.Join(", ", Enum.GetNames(enumType))}.");
}
