using Azure.Data.Tables;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Notifications;

/// <summary>A person the app can write to.</summary>
public sealed record DirectoryUser(string Id, string Name, IReadOnlySet<Role> Roles, BranchId Branch, string? Email);

/// <summary>
/// The people of table <c>Users</c> (partition <c>user</c>): who holds which role where, and their email.
/// A county union has tens to hundreds of staff, so a lookup reads the partition. The demo seeds it; HQ
/// administration of users is part of the HQ configuration issue.
/// </summary>
public sealed class UserDirectory(TableServiceClient tables)
{
    public const string Partition = "user";

    private TableClient Table => tables.GetTableClient(StorageNames.Tables.Users);

    public async Task<DirectoryUser?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: cancellationToken);
        return row.HasValue ? ToUser(row.Value!) : null;
    }

    /// <summary>Holders of <paramref name="role"/> in <paramref name="branch"/>; if there are none, those at headquarters.</summary>
    public async Task<IReadOnlyList<DirectoryUser>> HoldersAsync(Role role, BranchId branch, CancellationToken cancellationToken)
    {
        var holders = new List<DirectoryUser>();
        await foreach (var row in Table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken))
        {
            if (ToUser(row) is { } user && user.Roles.Contains(role))
            {
                holders.Add(user);
            }
        }

        var own = holders.Where(u => u.Branch == branch).ToList();
        return own.Count > 0 ? own : holders.Where(u => u.Branch.IsHeadquarters).ToList();
    }

    private static DirectoryUser? ToUser(TableEntity row)
    {
        if (!BranchId.TryParse(row.GetString("Branch"), out var branch))
        {
            return null;
        }

        var roles = (row.GetString("Roles") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(r => CreditFlows.Domain.Identity.Roles.TryParse(r, out var role) ? role : (Role?)null)
            .OfType<Role>()
            .ToHashSet();
        return new DirectoryUser(row.RowKey, row.GetString("Name") ?? row.RowKey, roles, branch, row.GetString("Email"));
    }
}
