using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Features.Notifications;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// What SendGrid answers SendNotification with: the real SendGrid client, with a handler in front of its HTTP
/// client that answers as SendGrid would (429, 500, 400) before letting requests through to the capture endpoint.
/// </summary>
public sealed class MailDeliveryTests : AppTestBase
{
    private readonly ScriptedSendGrid _sendGrid = new();

    public MailDeliveryTests()
        : base(new TestApp(settings: new Dictionary<string, string?>
        {
            ["Mail:MaxAttempts"] = "3",
            // Long enough that no other test's runner (they share the queue) takes a re-queued message first.
            ["Mail:RetryBaseDelay"] = "00:00:05",
            ["Mail:RetryMaxDelay"] = "00:00:10",
            // Small, so a test file can pass it; the other tests' attachments are a few bytes.
            ["Mail:MaxAttachmentBytes"] = "65536",
        }))
    {
        App.WithServices(s => s.AddHttpClient(nameof(MailSender)).AddHttpMessageHandler(() => new ScriptedHandler(_sendGrid)));
    }

    [Fact]
    public async Task A_429_is_tried_again_after_its_Retry_After_and_the_mail_goes_out_once()
    {
        var message = Message();
        _sendGrid.Next(message.Subject, HttpStatusCode.TooManyRequests, retryAfterSeconds: 8);

        var first = await InvokeAsync(message);
        Assert.Contains(first, l => l.Contains("try 2 in 00:00:08", StringComparison.Ordinal));
        Assert.Empty(await CapturedAsync(message.Subject));

        // The host delivers the re-queued message (attempt 1) when it becomes visible.
        var second = await InvokeAsync(message with { Attempt = 1 });
        Assert.Contains(second, l => l.Contains("sent to 1 recipient", StringComparison.Ordinal));
        await InvokeAsync(message with { Attempt = 1 }); // Delivered twice: still one mail.

        Assert.Single(await CapturedAsync(message.Subject));
        Assert.Equal(2, _sendGrid.Calls(message.Subject));
    }

    [Fact]
    public async Task A_500_on_the_last_try_poisons_the_message_and_HQ_sees_the_failure()
    {
        var message = Message();
        _sendGrid.Next(message.Subject, HttpStatusCode.InternalServerError);
        _sendGrid.Next(message.Subject, HttpStatusCode.InternalServerError);

        var early = await InvokeAsync(message);
        Assert.Contains(early, l => l.Contains("try 2 in 00:00:05", StringComparison.Ordinal));

        var last = await InvokeAsync(message with { Attempt = 2 }); // Mail:MaxAttempts is 3.
        Assert.Contains(last, l => l.Contains("not sent after 3 tries", StringComparison.Ordinal));

        var poisoned = await App.Services.GetRequiredService<Azure.Storage.Queues.QueueServiceClient>()
            .GetQueueClient("notifications-poison").PeekMessagesAsync(32);
        Assert.Contains(poisoned.Value, m => m.Body.ToString().Contains(message.NotificationId, StringComparison.Ordinal));
        var failure = Assert.Single(await FailuresAsync(), f => f!["notificationId"]!.GetValue<string>() == message.NotificationId)!;
        Assert.Equal(500, failure["status"]!.GetValue<int>());
        Assert.True(failure["retryable"]!.GetValue<bool>());
        Assert.Equal(3, failure["attempts"]!.GetValue<int>());
        Assert.Empty(await CapturedAsync(message.Subject));
    }

    [Fact]
    public async Task A_400_is_not_tried_again_and_is_reported()
    {
        var message = Message();
        _sendGrid.Next(message.Subject, HttpStatusCode.BadRequest);

        var lines = await InvokeAsync(message);

        Assert.Contains(lines, l => l.Contains("not sent after 1 tries", StringComparison.Ordinal) && l.Contains("400", StringComparison.Ordinal));
        var failure = Assert.Single(await FailuresAsync(), f => f!["notificationId"]!.GetValue<string>() == message.NotificationId)!;
        Assert.False(failure["retryable"]!.GetValue<bool>());
        Assert.Equal(1, _sendGrid.Calls(message.Subject));
    }

    [Fact]
    public async Task Only_HQ_administrators_and_auditors_read_the_failures()
    {
        var officer = App.CreateClient().As(App, "lo-b01", "B01", Role.LoanOfficer);
        await ProblemAsync(await officer.GetAsync("/api/mail/failures"), HttpStatusCode.Forbidden);
        var admin = App.CreateClient().As(App, "admin-1", "HQ", Role.HqAdmin);
        await ProblemAsync(await admin.GetAsync("/api/mail/failures?take=0"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task HTML_with_an_inline_chart_and_an_attachment_arrive_as_sent()
    {
        var container = App.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient("mail-test-files");
        await container.CreateIfNotExistsAsync();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];
        var csv = Encoding.UTF8.GetBytes("loan_id,borrower_name\nL1,张三\n");
        var run = Guid.NewGuid().ToString("N");
        await container.UploadBlobAsync($"{run}/chart.png", BinaryData.FromBytes(png));
        await container.UploadBlobAsync($"{run}/ledger.csv", BinaryData.FromBytes(csv));
        var message = Message() with
        {
            UserId = null,
            To = ["risk-hq@example.org"],
            Html = "<h1>不良贷款周报</h1><img src=\"cid:trend\">",
            Attachments =
            [
                new MailAttachment(container.Name, $"{run}/chart.png", "trend.png", "image/png", ContentId: "trend"),
                new MailAttachment(container.Name, $"{run}/ledger.csv", "NPL ledger 台账.csv", "text/csv"),
            ],
        };

        await InvokeAsync(message);

        var mail = Assert.Single(await CapturedAsync(message.Subject))!;
        Assert.Equal("risk-hq@example.org", Assert.Single(mail["to"]!.AsArray())!.GetValue<string>());
        Assert.True(mail["hasHtml"]!.GetValue<bool>());
        var attachments = mail["attachments"]!.AsArray();
        Assert.Contains(attachments, a => a!["fileName"]!.GetValue<string>() == "NPL ledger 台账.csv" && a["disposition"]!.GetValue<string>() == "attachment");
        Assert.Contains(attachments, a => a!["contentId"]?.GetValue<string>() == "trend" && a["disposition"]!.GetValue<string>() == "inline");

        var id = mail["id"]!.GetValue<string>();
        var raw = JsonNode.Parse(await Client.GetStringAsync($"/dev/mail/{id}"))!;
        var sentCsv = raw["attachments"]!.AsArray().Single(a => a!["filename"]!.GetValue<string>().EndsWith(".csv", StringComparison.Ordinal))!;
        Assert.Equal(csv, Convert.FromBase64String(sentCsv["content"]!.GetValue<string>()));
        var html = await Client.GetStringAsync($"/dev/mail/{id}/html");
        Assert.Contains("不良贷款周报", html);
        Assert.Contains($"data:image/png;base64,{Convert.ToBase64String(png)}", html);
    }

    [Fact]
    public async Task A_linked_file_that_would_pass_the_size_limit_is_left_out_and_the_mail_gives_its_link()
    {
        var container = App.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient("mail-test-files");
        await container.CreateIfNotExistsAsync();
        var run = Guid.NewGuid().ToString("N");
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];
        var small = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("L1,张三,120000\n", 100)));
        var big = new byte[60_000]; // 80,000 bytes in base64: over the 65,536 this class allows
        Random.Shared.NextBytes(big);
        await container.UploadBlobAsync($"{run}/chart.png", BinaryData.FromBytes(png));
        await container.UploadBlobAsync($"{run}/ledger.xlsx", BinaryData.FromBytes(big));
        await container.UploadBlobAsync($"{run}/ledger.csv", BinaryData.FromBytes(small));
        const string bigLink = "https://creditflows.example.org/api/reports/weekly/files/ledger.xlsx?week=2026-W47&branch=union";
        var message = Message() with
        {
            UserId = null,
            To = ["risk-hq@example.org"],
            Html = "<html><body><h1>不良贷款周报</h1><img src=\"cid:trend\"></body></html>",
            Attachments =
            [
                new MailAttachment(container.Name, $"{run}/ledger.xlsx", "npl-ledger-union-2026-W47.xlsx", "application/octet-stream", Link: bigLink),
                new MailAttachment(container.Name, $"{run}/ledger.csv", "npl-ledger-union-2026-W47.csv", "text/csv", Link: "https://creditflows.example.org/csv"),
                new MailAttachment(container.Name, $"{run}/chart.png", "trend.png", "image/png", ContentId: "trend"),
            ],
        };

        await InvokeAsync(message);

        var mail = Assert.Single(await CapturedAsync(message.Subject))!;
        var attachments = mail["attachments"]!.AsArray().Select(a => a!["fileName"]!.GetValue<string>()).ToList();
        Assert.Equal(["trend.png", "npl-ledger-union-2026-W47.csv"], attachments); // the inline chart, and the file that fits
        Assert.Contains($"npl-ledger-union-2026-W47.xlsx (60 KB): {bigLink}", mail["text"]!.GetValue<string>());
        Assert.DoesNotContain("https://creditflows.example.org/csv", mail["text"]!.GetValue<string>());
        var html = await Client.GetStringAsync($"/dev/mail/{mail["id"]!.GetValue<string>()}/html");
        Assert.Contains($"<a href=\"{System.Net.WebUtility.HtmlEncode(bigLink)}\">npl-ledger-union-2026-W47.xlsx</a>", html);
        Assert.True(html.IndexOf("npl-ledger-union-2026-W47.xlsx", StringComparison.Ordinal) < html.IndexOf("</body>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_copies_delivered_at_once_send_one_mail_and_the_second_looks_again_later()
    {
        var message = Message();
        var gate = _sendGrid.Hold(message.Subject);

        var first = InvokeAsync(message); // held inside the SendGrid call
        await WaitUntilAsync(() => _sendGrid.Calls(message.Subject) == 1);
        var second = await InvokeAsync(message);
        Assert.Contains(second, l => l.Contains("being sent by another delivery", StringComparison.Ordinal));

        gate.SetResult();
        Assert.Contains(await first, l => l.Contains("sent to 1 recipient", StringComparison.Ordinal));
        Assert.Contains(await InvokeAsync(message), l => l.Contains("was sent before", StringComparison.Ordinal)); // the copy, when it looks again
        Assert.Single(await CapturedAsync(message.Subject));
        Assert.Equal(1, _sendGrid.Calls(message.Subject));
    }

    [Fact]
    public async Task A_claim_left_by_a_delivery_that_stopped_is_taken_over_after_the_timeout()
    {
        var message = Message();
        var table = App.Services.GetRequiredService<TableServiceClient>().GetTableClient("Idempotency");
        await table.AddEntityAsync(new TableEntity(MailClaims.Partition, MailClaims.KeyOf(message.NotificationId))
        {
            ["NotificationId"] = message.NotificationId, ["State"] = "Sending", ["ClaimedAt"] = DateTimeOffset.UtcNow.AddMinutes(-6),
        });

        Assert.Contains(await InvokeAsync(message), l => l.Contains("sent to 1 recipient", StringComparison.Ordinal));
        Assert.Single(await CapturedAsync(message.Subject));
        var row = await table.GetEntityAsync<TableEntity>(MailClaims.Partition, MailClaims.KeyOf(message.NotificationId));
        Assert.Equal("Sent", row.Value.GetString("State"));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "timed out waiting");
    }

    private static NotificationMessage Message()
    {
        var id = Guid.NewGuid().ToString("N");
        return new NotificationMessage($"test/{id}", "TEST", "test.mail", "lo-b01", null, null, $"Mail test {id}", "Hello.");
    }

    private async Task<List<string>> InvokeAsync(NotificationMessage message) =>
        (await App.RunQueueAsync("SendNotification", JsonSerializer.Serialize(message, ApplicationStore.Json))).Logs;

    private async Task<List<JsonNode?>> CapturedAsync(string subject) =>
        [.. (await Outboxes.MailAsync(Client)).Where(m => m!["subject"]!.GetValue<string>() == subject)];

    private async Task<JsonArray> FailuresAsync()
    {
        var admin = App.CreateClient().As(App, "admin-1", "HQ", Role.HqAdmin);
        return JsonNode.Parse(await admin.GetStringAsync("/api/mail/failures?take=500"))!.AsArray();
    }

    /// <summary>Scripted SendGrid answers per subject; requests with no script left go through.</summary>
    private sealed class ScriptedSendGrid
    {
        private readonly ConcurrentDictionary<string, ConcurrentQueue<(HttpStatusCode Status, int? RetryAfter)>> _scripts = new();
        private readonly ConcurrentDictionary<string, int> _calls = new();

        public void Next(string subject, HttpStatusCode status, int? retryAfterSeconds = null) =>
            _scripts.GetOrAdd(subject, _ => new()).Enqueue((status, retryAfterSeconds));

        private readonly ConcurrentDictionary<string, TaskCompletionSource> _holds = new();

        public int Calls(string subject) => _calls.GetValueOrDefault(subject);

        /// <summary>Holds the next request with this subject until the answer is set.</summary>
        public TaskCompletionSource Hold(string subject) => _holds.GetOrAdd(subject, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

        public Task HeldAsync(string subject) => _holds.TryRemove(subject, out var hold) ? hold.Task : Task.CompletedTask; // the first request only

        public (HttpStatusCode Status, int? RetryAfter)? Answer(string subject)
        {
            _calls.AddOrUpdate(subject, 1, (_, n) => n + 1);
            return _scripts.TryGetValue(subject, out var script) && script.TryDequeue(out var next) ? next : null;
        }
    }

    private sealed class ScriptedHandler(ScriptedSendGrid sendGrid) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            var subject = JsonNode.Parse(body)?["subject"]?.GetValue<string>() ?? "";
            var answer = sendGrid.Answer(subject);
            await sendGrid.HeldAsync(subject);
            if (answer is not { } scripted)
            {
                return await base.SendAsync(request, cancellationToken);
            }

            var response = new HttpResponseMessage(scripted.Status)
            {
                Content = new StringContent("""{"errors":[{"message":"scripted by the test"}]}""", Encoding.UTF8, "application/json"),
            };
            if (scripted.RetryAfter is { } seconds)
            {
                response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
            }

            return response;
        }
    }
}

public sealed class MailRetryDelayTests
{
    private static readonly MailOptions Options = new() { RetryBaseDelay = TimeSpan.FromSeconds(30), RetryMaxDelay = TimeSpan.FromMinutes(5) };

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(4, 240)]
    [InlineData(5, 300)]
    [InlineData(40, 300)]
    public void The_wait_doubles_per_try_up_to_the_maximum(int attempt, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Options.DelayAfter(attempt, null));

    [Fact]
    public void SendGrids_Retry_After_wins_when_longer_but_not_past_the_maximum()
    {
        Assert.Equal(TimeSpan.FromSeconds(90), Options.DelayAfter(1, TimeSpan.FromSeconds(90)));
        Assert.Equal(TimeSpan.FromSeconds(60), Options.DelayAfter(2, TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromMinutes(5), Options.DelayAfter(1, TimeSpan.FromHours(1)));
    }
}
