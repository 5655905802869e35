using Azure;
using Azure.Data.Tables;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Branches;

/// <summary>A branch cooperative, or headquarters, as the API shows it.</summary>
public sealed record Branch(BranchId Id, string Name);

/// <summary>Branches in table <c>Branches</c> (one partition: a county union has tens of branches, not thousands).</summary>
public sealed class BranchStore(TableServiceClient tables)
{
    private const string Partition = "branch";

    private TableClient Table => tables.GetTableClient(StorageNames.Tables.Branches);

    public async Task<IReadOnlyList<Branch>> ListAsync(CancellationToken cancellationToken)
    {
        var branches = new List<Branch>();
        await foreach (var row in Table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken))
        {
            branches.Add(ToBranch(row));
        }

        return branches;
    }

    public async Task<Branch?> FindAsync(BranchId id, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, id.Value, cancellationToken: cancellationToken);
        return row.HasValue ? ToBranch(row.Value!) : null;
    }

    /// <summary>Adds the branch unless one with its id exists; answers whether it was added.</summary>
    public async Task<bool> AddIfAbsentAsync(Branch branch, CancellationToken cancellationToken)
    {
        try
        {
            await Table.AddEntityAsync(new TableEntity(Partition, branch.Id.Value) { ["Name"] = branch.Name }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    private static Branch ToBranch(TableEntity row) => new(BranchId.Parse(row.RowKey), row.GetString("Name") ?? row.RowKey);
}
