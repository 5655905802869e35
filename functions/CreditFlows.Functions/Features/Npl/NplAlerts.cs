using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Domain.Npl;
using CreditFlows.Functions.Features.Applications;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// Sends each early warning once per cause per day: a conditional add of row (date, cause) in <c>{P}Alerts</c>
/// claims it; the mails go to the <c>notifications</c> queue with ids derived from date, cause and recipient
/// (so <c>SendNotification</c> drops a repeat); then the row is marked sent. A run that stopped between claim
/// and send finds the row unsent and sends again; a row marked sent is never sent again.
/// </summary>
public sealed class NplAlerts(NplStorage storage, TimeProvider time)
{
    /// <summary>
    /// Sends each warning once (<see cref="SendOnceAsync"/>), 8 at a time: each cause is its own claim, and a cause listed twice
    /// is sent through one claim only (two claims of one cause at once could both find it unsent). Answers how many were sent now.
    /// </summary>
    public async Task<int> SendEachOnceAsync(DateOnly date, IReadOnlyList<EarlyWarning> warnings, CancellationToken cancellationToken)
    {
        var sent = 0;
        await Parallel.ForEachAsync(warnings.DistinctBy(w => w.Cause, StringComparer.Ordinal), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (warning, ct) =>
        {
            if (await SendOnceAsync(date, warning, ct))
            {
                Interlocked.Increment(ref sent);
            }
        });
        return sent;
    }

    public async Task<bool> SendOnceAsync(DateOnly date, EarlyWarning warning, CancellationToken cancellationToken)
    {
        var day = NplStorage.Day(date);
        var key = RowKey(warning.Cause);
        try
        {
            await storage.Alerts.AddEntityAsync(new TableEntity(day, key)
            {
                ["Cause"] = warning.Cause,
                ["Subject"] = warning.Subject,
                ["Text"] = warning.Text,
                ["Recipients"] = string.Join(",", warning.To.Select(t => $"{t.Role}@{t.Branch}")),
                ["Sent"] = false,
                ["ClaimedAt"] = time.GetUtcNow(),
            }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await storage.Alerts.GetEntityAsync<TableEntity>(day, key, cancellationToken: cancellationToken);
            if (existing.Value.GetBoolean("Sent") == true)
            {
                return false;
            }
        }

        foreach (var to in warning.To)
        {
            var message = new NotificationMessage($"npl|{day}|{warning.Cause}|{to.Role}|{to.Branch}", $"npl:{day}", "npl.warning",
                null, to.Role, to.Branch, warning.Subject, warning.Text);
            await storage.Notifications.SendMessageAsync(JsonSerializer.Serialize(message, ApplicationStore.Json), cancellationToken);
        }

        await storage.Alerts.UpdateEntityAsync(new TableEntity(day, key) { ["Sent"] = true, ["SentAt"] = time.GetUtcNow() }, ETag.All, TableUpdateMode.Merge, cancellationToken);
        return true;
    }

    /// <summary>The cause as a table key ('/' is not allowed in one); a cause with other awkward characters is hashed.</summary>
    public static string RowKey(string cause)
    {
        var key = cause.Replace('/', '|');
        return key.Length <= 200 && !key.Any(c => c is '\\' or '#' or '?' || char.IsControl(c))
            ? key
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cause)));
    }
}
