using System.Net.Mail;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>Who gets the weekly report: HQ risk managers and leaders the union, a branch director the branch.</summary>
public enum RecipientRole
{
    RiskManager = 1,
    HqLeader = 2,
    BranchDirector = 3,
}

public sealed record Recipient(string Email, string Name, RecipientRole Role, string Scope, bool Paused, string UpdatedBy, DateTimeOffset UpdatedAt);

/// <summary>The body of <c>PUT /api/reports/recipients/{email}</c>.</summary>
public sealed record RecipientRequest(string? Name, RecipientRole? Role, string? Scope, bool? Paused);

/// <summary>
/// Table <c>ReportRecipients</c>: partition <c>weekly</c>, row = the address in lower case; and the send markers,
/// partition <c>sent|{week}</c>, row = address: a recipient whose week is marked was queued already.
/// </summary>
public sealed class RecipientStore(TableServiceClient tables, IOptions<ReportOptions> options) : IHostedService
{
    public const string Partition = "weekly";

    public TableClient Table { get; } = tables.GetTableClient(options.Value.RecipientsTable);

    public Task StartAsync(CancellationToken cancellationToken) => Table.CreateIfNotExistsAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A plain address (name@domain.tld), no display name, nothing a table key or a mail header would choke on.</summary>
    public static bool IsValidAddress(string? text)
    {
        if (text is not { Length: >= 3 and <= 254 } || text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '\\' or '#' or '?' or '<' or '>' or ',' or ';' or '"'))
        {
            return false;
        }

        var at = text.LastIndexOf('@');
        return at > 0 && text.IndexOf('.', at) > at + 1 && !text.EndsWith('.') && MailAddress.TryCreate(text, out var parsed) && parsed.Address == text;
    }

    public async Task<IReadOnlyList<Recipient>> ListAsync(CancellationToken cancellationToken)
    {
        var list = new List<Recipient>();
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: cancellationToken))
        {
            list.Add(From(row));
        }

        return list;
    }

    public async Task<Recipient> SaveAsync(Recipient recipient, CancellationToken cancellationToken)
    {
        await Table.UpsertEntityAsync(new TableEntity(Partition, recipient.Email.ToLowerInvariant())
        {
            ["Email"] = recipient.Email,
            ["Name"] = recipient.Name,
            ["Role"] = recipient.Role.ToString(),
            ["Scope"] = recipient.Scope,
            ["Paused"] = recipient.Paused,
            ["UpdatedBy"] = recipient.UpdatedBy,
            ["UpdatedAt"] = recipient.UpdatedAt,
        }, TableUpdateMode.Replace, cancellationToken);
        return recipient;
    }

    public async Task<Recipient?> FindAsync(string email, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, email.ToLowerInvariant(), cancellationToken: cancellationToken);
        return row.HasValue ? From(row.Value!) : null;
    }

    public async Task<bool> DeleteAsync(string email, CancellationToken cancellationToken)
    {
        var response = await Table.DeleteEntityAsync(Partition, email.ToLowerInvariant(), ETag.All, cancellationToken);
        return response.Status != 404;
    }

    public async Task<bool> WasQueuedAsync(string week, string email, CancellationToken cancellationToken) =>
        (await Table.GetEntityIfExistsAsync<TableEntity>($"sent|{week}", email.ToLowerInvariant(), cancellationToken: cancellationToken)).HasValue;

    public Task MarkQueuedAsync(string week, string email, string notificationId, DateTimeOffset at, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(new TableEntity($"sent|{week}", email.ToLowerInvariant()) { ["NotificationId"] = notificationId, ["QueuedAt"] = at }, TableUpdateMode.Replace, cancellationToken);

    private static Recipient From(TableEntity row) => new(
        row.GetString("Email"), row.GetString("Name") ?? string.Empty, Enum.Parse<RecipientRole>(row.GetString("Role")), row.GetString("Scope"),
        row.GetBoolean("Paused") ?? false, row.GetString("UpdatedBy") ?? string.Empty, row.GetDateTimeOffset("UpdatedAt") ?? default);
}
