using Azure.Data.Tables;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Identity;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Notifications;

/// <summary>Rows of table <c>MailFailures</c>: one per notification SendGrid would not take, newest first.</summary>
public static class MailFailure
{
    public const string Partition = "failed";

    public static string RowKeyFor(DateTimeOffset at, string notificationId) =>
        $"{DateTime.MaxValue.Ticks - at.UtcTicks:D19}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(notificationId)))[..16]}";
}

/// <summary>A notification that was not sent, as HQ sees it.</summary>
public sealed record MailFailureView(
    string NotificationId,
    string Kind,
    string About,
    string Subject,
    IReadOnlyList<string> Recipients,
    int? Status,
    string Reason,
    int Attempts,
    bool Retryable,
    DateTimeOffset FailedAt);

public static class MailFailureEndpoints
{
    /// <summary><c>GET /api/mail/failures?take=</c>: mail that was not sent, newest first (HqAdmin, Auditor).</summary>
    public static RouteGroupBuilder MapMailFailureEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/mail/failures", async Task<IResult> (int? take, TableServiceClient tables, CancellationToken cancellationToken) =>
            {
                if (take is < 1 or > 500)
                {
                    return ApiProblems.BadRequest("take", "must be 1 to 500.");
                }

                var rows = new List<MailFailureView>();
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {MailFailure.Partition}");
                await foreach (var row in tables.GetTableClient(StorageNames.Tables.MailFailures).QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
                {
                    rows.Add(new MailFailureView(
                        row.GetString("NotificationId") ?? "",
                        row.GetString("Kind") ?? "",
                        row.GetString("About") ?? "",
                        row.GetString("Subject") ?? "",
                        (row.GetString("Recipients") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
                        row.GetInt32("Status"),
                        row.GetString("Reason") ?? "",
                        row.GetInt32("Attempts") ?? 0,
                        row.GetBoolean("Retryable") ?? false,
                        row.GetDateTimeOffset("FailedAt") ?? default));
                    if (rows.Count >= (take ?? 100))
                    {
                        break;
                    }
                }

                return Results.Ok<IReadOnlyList<MailFailureView>>(rows);
            })
            .RequireRoles(Role.HqAdmin, Role.Auditor)
            .WithTags("Mail")
            .WithSummary("Notifications SendGrid did not take: refused (e.g. 400, not retried) or failing every try (then also in notifications-poison).")
            .Produces<IReadOnlyList<MailFailureView>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }
}
