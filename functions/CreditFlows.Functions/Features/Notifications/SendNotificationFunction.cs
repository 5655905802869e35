using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Notifications;

/// <summary>
/// Queue function <c>SendNotification</c> (queue <c>notifications</c>): resolves the recipients (one person,
/// or a role's holders in a branch) and sends the email. A notification already sent (table <c>Idempotency</c>,
/// partition <c>mail</c>) is skipped; only a failure between SendGrid's answer and that record can repeat one.
/// </summary>
public sealed partial class SendNotificationFunction(
    UserDirectory directory,
    MailSender mail,
    TableServiceClient tables,
    TimeProvider time,
    ILogger<SendNotificationFunction> logger) : IFunctionHandler
{
    public const string Name = "SendNotification";

    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var message = request.GetJson<NotificationMessage>("message", ApplicationStore.Json);
        if (string.IsNullOrEmpty(message.NotificationId) || (message.UserId is null && message.Role is null))
        {
            throw new InvalidInvocationException("A notification needs an id and a recipient (userId, or role and branch).");
        }

        var sent = tables.GetTableClient(StorageNames.Tables.Idempotency);
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(message.NotificationId)))[..40];
        if ((await sent.GetEntityIfExistsAsync<TableEntity>("mail", key, cancellationToken: cancellationToken)).HasValue)
        {
            return InvocationResult.Empty().Log($"Notification {message.NotificationId} was sent before.");
        }

        var recipients = new List<DirectoryUser>();
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

        var to = recipients.Where(r => !string.IsNullOrWhiteSpace(r.Email)).Select(r => (r.Email!, r.Name)).Distinct().ToList();
        if (to.Count == 0)
        {
            LogNoRecipients(logger, message.NotificationId, message.UserId ?? $"{message.Role}@{message.Branch}");
        }
        else
        {
            await mail.SendAsync(to, message.Subject, message.Text, cancellationToken);
        }

        try
        {
            await sent.AddEntityAsync(new TableEntity("mail", key)
            {
                ["NotificationId"] = message.NotificationId,
                ["Kind"] = message.Kind,
                ["Recipients"] = string.Join(",", to.Select(t => t.Item1)),
                ["SentAt"] = time.GetUtcNow(),
            }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // A second delivery raced this one; both sent (the rare repeat the summary mentions).
        }

        return InvocationResult.Empty().Log($"Notification {message.Kind} for {message.ApplicationId} sent to {to.Count} recipient(s).");
    }

    [LoggerMessage(LogLevel.Warning, "Notification {Id}: nobody to send to ({Recipient} has no email in the user directory)")]
    private static partial void LogNoRecipients(ILogger logger, string id, string recipient);
}
