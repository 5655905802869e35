using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Storage;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Notifications;

/// <summary>
/// Queue function <c>SendNotification</c> (queue <c>notifications</c>): resolves the recipients (one person, a
/// role's holders in a branch, or listed addresses) and sends the email. A notification already sent (table
/// <c>Idempotency</c>, partition <c>mail</c>, see <see cref="MailClaims"/>) is skipped, and a copy that arrives while
/// another delivery is sending waits and looks again; only a crash between SendGrid's answer and the record can repeat one.
/// <para>
/// When SendGrid answers 429 or 5xx (or not at all), the message is queued again with its attempt count, invisible
/// for an exponentially growing delay (at least SendGrid's Retry-After); after <c>Mail:MaxAttempts</c> tries it goes
/// to <c>notifications-poison</c>. Any other refusal (400: a bad address or payload) would fail the same way every
/// time, so it is not retried. Both end in <c>MailFailures</c>, which HQ reads at <c>GET /api/mail/failures</c>,
/// and an error in the log.
/// </para>
/// </summary>
public sealed partial class SendNotificationFunction(
    UserDirectory directory,
    MailSender mail,
    TableServiceClient tables,
    MailClaims claims,
    QueueServiceClient queues,
    IOptions<MailOptions> options,
    TimeProvider time,
    ILogger<SendNotificationFunction> logger) : IQueueFunction
{
    public const string Name = "SendNotification";

    public async Task<InvocationResult> RunAsync(string text, long dequeueCount, CancellationToken cancellationToken)
    {
        var message = QueueMessages.Read<NotificationMessage>(text, ApplicationStore.Json);
        if (string.IsNullOrEmpty(message.NotificationId) || (message.UserId is null && message.Role is null && message.To is not { Count: > 0 }))
        {
            throw new InvalidInvocationException("A notification needs an id and a recipient (userId, role and branch, or to).");
        }

        var settings = options.Value;
        var (claim, wait) = await claims.ClaimAsync(message.NotificationId, message.Kind, settings.SendClaimTimeout, cancellationToken);
        if (claim == MailClaim.SentBefore)
        {
            return InvocationResult.Empty().Log($"Notification {message.NotificationId} was sent before.");
        }

        if (claim == MailClaim.InProgress)
        {
            // Another copy is with SendGrid now: look again once its claim would have run out (never lose this one).
            await queues.GetQueueClient(StorageNames.Queues.Notifications).SendMessageAsync(
                JsonSerializer.Serialize(message, ApplicationStore.Json), wait, TimeSpan.FromSeconds(-1), cancellationToken);
            return InvocationResult.Empty().Log($"Notification {message.NotificationId} is being sent by another delivery; this copy looks again in {wait}.");
        }

        List<(string Email, string Name)> to = [];
        try
        {
            to = await RecipientsAsync(message, cancellationToken);
            if (to.Count == 0)
            {
                LogNoRecipients(logger, message.NotificationId, message.UserId ?? $"{message.Role}@{message.Branch}");
            }
            else
            {
                await mail.SendAsync(new MailContent(to, message.Subject, message.Text, message.Html, message.Attachments), cancellationToken);
            }
        }
        catch (MailDeliveryException ex)
        {
            await claims.ReleaseAsync(message.NotificationId, CancellationToken.None);
            return await NotSentAsync(message, to, ex, cancellationToken);
        }
        catch
        {
            await claims.ReleaseAsync(message.NotificationId, CancellationToken.None);
            throw;
        }

        await claims.SentAsync(message.NotificationId, to.Select(t => t.Email), cancellationToken);
        return InvocationResult.Empty().Log($"Notification {message.Kind} for {message.ApplicationId} sent to {to.Count} recipient(s).");
    }

    private async Task<List<(string Email, string Name)>> RecipientsAsync(NotificationMessage message, CancellationToken cancellationToken)
    {
        var recipients = new List<DirectoryUser>();
        if (message.To is { Count: > 0 } addresses)
        {
            return [.. addresses.Where(a => !string.IsNullOrWhiteSpace(a)).Distinct(StringComparer.OrdinalIgnoreCase).Select(a => (a, a))];
        }

        if (message.UserId is not null)
        {
            if (await directory.FindAsync(message.UserId, cancellationToken) is { } person)
            {
                recipients.Add(person);
            }
        }
        else
        {
            recipients.AddRange(await directory.HoldersAsync(message.Role!.Value, message.Branch ?? Domain.Identity.BranchId.Headquarters, cancellationToken));
        }

        return [.. recipients.Where(r => !string.IsNullOrWhiteSpace(r.Email)).Select(r => (r.Email!, r.Name)).Distinct()];
    }

    /// <summary>Queues the next try, or gives up: records the failure and, after the last try, poisons the message.</summary>
    private async Task<InvocationResult> NotSentAsync(NotificationMessage message, List<(string Email, string Name)> to, MailDeliveryException failure, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var attempt = message.Attempt + 1;
        if (failure.Transient && attempt < settings.MaxAttempts)
        {
            var delay = settings.DelayAfter(attempt, failure.RetryAfter);
            await queues.GetQueueClient(StorageNames.Queues.Notifications).SendMessageAsync(
                JsonSerializer.Serialize(message with { Attempt = attempt }, ApplicationStore.Json), delay, TimeSpan.FromSeconds(-1), cancellationToken);
            LogRetry(logger, message.NotificationId, attempt, failure.Message, delay);
            return InvocationResult.Empty().Log($"Try {attempt} of notification {message.NotificationId} failed ({failure.Message}); try {attempt + 1} in {delay}.");
        }

        if (failure.Transient)
        {
            await queues.GetQueueClient(StorageNames.Queues.NotificationsPoison).SendMessageAsync(
                JsonSerializer.Serialize(message with { Attempt = attempt }, ApplicationStore.Json), TimeSpan.Zero, TimeSpan.FromSeconds(-1), cancellationToken);
        }

        var failures = tables.GetTableClient(StorageNames.Tables.MailFailures);
        var now = time.GetUtcNow();
        await failures.UpsertEntityAsync(new TableEntity(MailFailure.Partition, MailFailure.RowKeyFor(now, message.NotificationId))
        {
            ["NotificationId"] = message.NotificationId,
            ["Kind"] = message.Kind,
            ["About"] = message.ApplicationId,
            ["Subject"] = message.Subject,
            ["Recipients"] = string.Join(",", to.Select(t => t.Email)),
            ["Status"] = failure.Status is { } status ? (int)status : null,
            ["Reason"] = failure.Message,
            ["Attempts"] = attempt,
            ["Retryable"] = failure.Transient,
            ["FailedAt"] = now,
        }, TableUpdateMode.Replace, cancellationToken);
        LogGaveUp(logger, message.NotificationId, attempt, failure.Message);
        return InvocationResult.Empty().Log($"Notification {message.NotificationId} not sent after {attempt} tries: {failure.Message}");
    }

    [LoggerMessage(LogLevel.Warning, "Notification {Id}: nobody to send to ({Recipient} has no email in the user directory)")]
    private static partial void LogNoRecipients(ILogger logger, string id, string recipient);

    [LoggerMessage(LogLevel.Warning, "Notification {Id}: try {Attempt} failed ({Reason}); next try in {Delay}")]
    private static partial void LogRetry(ILogger logger, string id, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(LogLevel.Error, "Notification {Id} NOT SENT after {Attempts} tries: {Reason}")]
    private static partial void LogGaveUp(ILogger logger, string id, int attempts, string reason);
}
