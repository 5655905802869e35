using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Bench;

/// <summary>The callers of the flow, each with a development token from the running app.</summary>
public sealed record Callers(string Officer, string Reviewer, string Director, string CoreBanking, string HqReviewer)
{
    public static Callers Issue(BenchApp app) => new(
        app.TokenFor("lo-b01", "B01", Role.LoanOfficer),
        app.TokenFor("rv-b01", "B01", Role.Reviewer),
        app.TokenFor("dir-b01", "B01", Role.BranchDirector),
        app.TokenFor("core-banking", "HQ", Role.CoreBanking),
        app.TokenFor("rv-hq", "HQ", Role.Reviewer));
}

/// <summary>What the client saw for one application: its id and the event commands it was told were stored, in order.</summary>
public sealed class AppRecord(int number)
{
    public int Number { get; } = number;

    public string? Id { get; set; }

    public List<string> Acknowledged { get; } = [];

    public bool Completed { get; set; }
}

/// <summary>One answer to one request: status, whether it was a replay, the body, and how long it took.</summary>
public sealed record Answer(int Status, bool Replayed, string Body, double Milliseconds, string? Failure);

/// <summary>
/// Drives applications through the whole flow over HTTP: open, submit, a complete investigation, review pass,
/// approval at the BranchDirector tier, contract, hand-off and disbursement; 8 commands, every one with a fresh
/// Idempotency-Key. Each client drives its own applications one after another.
/// </summary>
public sealed class WorkflowDriver(HttpClient http, Callers callers)
{
    /// <summary>The endpoint of each step, and the command its event is stored under.</summary>
    public static readonly IReadOnlyList<(string Step, string EventCommand)> Steps =
    [
        ("open", "open"),
        ("submit", "submit"),
        ("investigation", "investigation.submit"),
        ("review", "review.pass"),
        ("decision", "decision.approve"),
        ("contract", "contract"),
        ("handoff", "handoff"),
        ("disbursement", "disbursement"),
    ];

    public const decimal Amount = 500_000m;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static readonly string InvestigationBody = JsonSerializer.Serialize(new
    {
        investigation = new
        {
            household = new { members = 4, labourers = 2, creditRating = "AA", mainActivity = "Greenhouse vegetables" },
            purpose = "Two greenhouses and drip irrigation",
            amount = Amount,
            termMonths = 36,
            annualRatePercent = 5.5m,
            repaymentSource = "Vegetable sales to the county wholesale market",
            annualIncome = 260_000m,
            existingDebts = Array.Empty<object>(),
            associatedCustomers = Array.Empty<object>(),
            collateral = new[]
            {
                new
                {
                    type = "RealEstate",
                    description = "Two-storey house and homestead, Chengguan",
                    appraisedValue = 900_000m,
                    appraiser = "County Appraisal Co.",
                    ownerName = "Bench Borrower",
                    registrationStatus = "Registered",
                },
            },
            risk = new { rating = "Low", summary = "Stable income, registered mortgage at 1.8x cover." },
            recommendation = new { approve = true, comment = "Recommend approval." },
        },
        submit = true,
    }, Json);

    private static readonly string ReviewBody = """{"outcome":"Pass","comment":"Investigation complete."}""";
    private static readonly string DecisionBody = """{"outcome":"Approve","comment":"Within branch authority."}""";
    private static readonly string HandOffBody = """{"registeredCollateral":[]}""";

    private long _errors;

    public ConcurrentQueue<string> Failures { get; } = new();

    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Latency of every command, and per step.</summary>
    public Latencies All { get; } = new();

    public ConcurrentDictionary<string, Latencies> ByStep { get; } = new(StringComparer.Ordinal);

    /// <summary>A client's pause after each answer before its next command (0: back to back, the saturation test).</summary>
    public TimeSpan ThinkTime { get; init; }

    /// <summary>Told of every command answered as expected: the application's id and the version answered.</summary>
    public Action<string, int>? Answered { get; init; }

    /// <summary>Runs <paramref name="apps"/> applications with <paramref name="concurrency"/> clients; answers what each client saw and the wall time.</summary>
    public async Task<(IReadOnlyList<AppRecord> Apps, TimeSpan Wall)> RunAsync(int firstNumber, int apps, int concurrency)
    {
        var records = Enumerable.Range(firstNumber, apps).Select(n => new AppRecord(n)).ToArray();
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < records.Length)
            {
                await DriveAsync(records[index]);
            }
        })));
        return (records, Stopwatch.GetElapsedTime(started));
    }

    private async Task DriveAsync(AppRecord record)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd");
        for (var n = 0; n < Steps.Count; n++)
        {
            var (step, eventCommand) = Steps[n];
            var (token, path, body) = step switch
            {
                "open" => (callers.Officer, "/api/applications", OpenBody(record.Number)),
                "investigation" => (callers.Officer, Path(record, step), InvestigationBody),
                "review" => (callers.Reviewer, Path(record, step), ReviewBody),
                "decision" => (callers.Director, Path(record, step), DecisionBody),
                "contract" => (callers.Officer, Path(record, step), $$"""{"contractNumber":"BENCH-{{record.Number:D6}}","signedOn":"{{today}}"}"""),
                "handoff" => (callers.Officer, Path(record, step), HandOffBody),
                "disbursement" => (callers.CoreBanking, Path(record, step),
                    $$"""{"loanAccountNumber":"6228{{record.Number:D12}}","amount":{{Amount.ToString(CultureInfo.InvariantCulture)}},"disbursedOn":"{{today}}"}"""),
                _ => (callers.Officer, Path(record, step), "{}"),
            };

            var answer = await SendAsync(path, token, body, Guid.NewGuid().ToString());
            var expected = step == "open" ? 201 : 200;
            if (answer.Failure is null)
            {
                All.Add(answer.Milliseconds);
                ByStep.GetOrAdd(step, _ => new Latencies()).Add(answer.Milliseconds);
            }

            if (answer.Status != expected || answer.Replayed)
            {
                Fail($"app {record.Number} ({record.Id ?? "not opened"}) {step}: HTTP {answer.Status}{(answer.Replayed ? " (replayed)" : "")} {answer.Failure ?? Trim(answer.Body)}");
                return;
            }

            using var doc = JsonDocument.Parse(answer.Body);
            var version = doc.RootElement.GetProperty("version").GetInt32();
            record.Id ??= doc.RootElement.GetProperty("id").GetString();
            record.Acknowledged.Add(eventCommand);
            if (version != n + 1)
            {
                Fail($"app {record.Number} ({record.Id}) {step}: answered version {version}, expected {n + 1}");
                return;
            }

            Answered?.Invoke(record.Id!, version);

            if (ThinkTime > TimeSpan.Zero)
            {
                await Task.Delay(ThinkTime);
            }
        }

        record.Completed = true;
    }

    /// <summary>Sends one command and times it, response body included.</summary>
    public async Task<Answer> SendAsync(string path, string token, string body, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var text = await response.Content.ReadAsStringAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var replayed = response.Headers.TryGetValues("Idempotent-Replayed", out var values) && values.Contains("true");
            return new Answer((int)response.StatusCode, replayed, text, elapsed, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new Answer(0, false, "", Stopwatch.GetElapsedTime(started).TotalMilliseconds, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    public static string OpenBody(int number)
    {
        // A resident id number: region 330102 (Hangzhou Shangcheng), born 1985-01-01, a sequence, the check digit.
        var first17 = $"33010219850101{number % 1000:D3}";
        var idNumber = first17 + ApplicationRules.ResidentIdCheckDigit(first17);
        return JsonSerializer.Serialize(new
        {
            borrower = new { name = $"Bench Borrower {number}", idNumber, type = "FarmerHousehold", address = "Chengguan, Village 3" },
            product = "FarmerHousehold",
            guaranteeType = "Mortgage",
            amount = Amount,
            termMonths = 36,
            annualRatePercent = 5.5m,
            purpose = "Two greenhouses and drip irrigation",
        }, Json);
    }

    public static string Path(AppRecord record, string step) => $"/api/applications/{record.Id}/{step}";

    private void Fail(string message)
    {
        Interlocked.Increment(ref _errors);
        Failures.Enqueue(message);
    }

    private static string Trim(string body) => body.Length > 300 ? body[..300] + "..." : body;
}
