using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Notifications;

/// <summary>What a delivery of a notification may do, after <see cref="MailClaims.ClaimAsync"/>.</summary>
public enum MailClaim
{
    /// <summary>This delivery holds the claim: send, then <see cref="MailClaims.SentAsync"/> or <see cref="MailClaims.ReleaseAsync"/>.</summary>
    Send,

    /// <summary>The notification was sent before: drop this copy.</summary>
    SentBefore,

    /// <summary>Another delivery is sending it right now: look again after the wait.</summary>
    InProgress,
}

/// <summary>
/// Send-once for notifications, in table <c>Idempotency</c>, partition <c>mail</c>, one row per notification id:
/// a delivery claims the row (<c>State = Sending</c>, conditional add) <b>before</b> it calls SendGrid and marks it
/// <c>Sent</c> after, so two copies of a message handled at once (a duplicate delivery, two producers racing) send
/// one mail. A claim older than <see cref="MailOptions.SendClaimTimeout"/> belongs to a delivery that stopped and is
/// taken over on its ETag. Rows from before the claim existed (no <c>State</c>) mean sent.
/// </summary>
public sealed class MailClaims(TableServiceClient tables, TimeProvider time)
{
    public const string Partition = "mail";
    private const string Sending = "Sending";
    private const string Sent = "Sent";

    private TableClient Table => tables.GetTableClient(StorageNames.Tables.Idempotency);

    public static string KeyOf(string notificationId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(notificationId)))[..40];

    public async Task<(MailClaim Claim, TimeSpan Wait)> ClaimAsync(string notificationId, string kind, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var key = KeyOf(notificationId);
        var now = time.GetUtcNow();
        var claim = new TableEntity(Partition, key) { ["NotificationId"] = notificationId, ["Kind"] = kind, ["State"] = Sending, ["ClaimedAt"] = now };
        try
        {
            await Table.AddEntityAsync(claim, cancellationToken);
            return (MailClaim.Send, TimeSpan.Zero);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }

        var found = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, key, cancellationToken: cancellationToken);
        if (!found.HasValue)
        {
            return (MailClaim.InProgress, TimeSpan.FromSeconds(5)); // released meanwhile: look again shortly
        }

        var row = found.Value!;
        if (row.GetString("State") != Sending)
        {
            return (MailClaim.SentBefore, TimeSpan.Zero);
        }

        var age = now - (row.GetDateTimeOffset("ClaimedAt") ?? DateTimeOffset.MinValue);
        if (age < timeout)
        {
            return (MailClaim.InProgress, timeout - age + TimeSpan.FromSeconds(1));
        }

        try
        {
            await Table.UpdateEntityAsync(claim, row.ETag, TableUpdateMode.Replace, cancellationToken);
            return (MailClaim.Send, TimeSpan.Zero);
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return (MailClaim.InProgress, timeout); // another copy took it over first
        }
    }

    public Task SentAsync(string notificationId, IEnumerable<string> recipients, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(new TableEntity(Partition, KeyOf(notificationId))
        {
            ["State"] = Sent, ["Recipients"] = string.Join(",", recipients), ["SentAt"] = time.GetUtcNow(),
        }, TableUpdateMode.Merge, cancellationToken);

    /// <summary>Gives the claim up after a failed send, so the next try (or a copy) may claim it.</summary>
    public async Task ReleaseAsync(string notificationId, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(Partition, KeyOf(notificationId), ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }
}
