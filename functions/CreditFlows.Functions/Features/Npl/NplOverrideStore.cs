using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// Manual classifications: rows <c>o|{loanId}</c> in the ledger's branch partition, so an override and its audit row
/// commit in one transaction. Written with ETags.
/// </summary>
public sealed class NplOverrideStore(NplStorage storage)
{
    public const string Prefix = "o|";

    public async Task<Dictionary<string, (LoanOverride Override, ETag ETag)>> ForBranchAsync(BranchId branch, CancellationToken cancellationToken)
    {
        var all = new Dictionary<string, (LoanOverride, ETag)>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {branch.Value} and RowKey ge {Prefix} and RowKey lt {"o}"}");
        await foreach (var row in storage.Ledger.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            all[row.RowKey[Prefix.Length..]] = (Read(row), row.ETag);
        }

        return all;
    }

    public async Task<(LoanOverride? Override, ETag ETag)> FindAsync(BranchId branch, string loanId, CancellationToken cancellationToken)
    {
        var row = await storage.Ledger.GetEntityIfExistsAsync<TableEntity>(branch.Value, Prefix + loanId, cancellationToken: cancellationToken);
        return row.HasValue ? (Read(row.Value!), row.Value!.ETag) : (null, default);
    }

    /// <summary>Adds (when new) or replaces on its ETag (412 if someone else wrote first) the override, with its audit row, in one transaction.</summary>
    public Task SaveAsync(LoanOverride value, ETag? etag, TableEntity audit, CancellationToken cancellationToken)
    {
        var row = new TableEntity(value.Branch.Value, Prefix + value.LoanId)
        {
            ["Doc"] = JsonSerializer.Serialize(value, NplRuns.Json),
            ["Active"] = value.Active?.Category.ToString() ?? string.Empty,
            ["Pending"] = value.Pending?.Category.ToString() ?? string.Empty,
        };
        var actions = new List<TableTransactionAction>
        {
            etag is { } e && e != default ? new(TableTransactionActionType.UpdateReplace, row, e) : new(TableTransactionActionType.Add, row),
            new(TableTransactionActionType.Add, audit),
        };
        return storage.Ledger.SubmitTransactionAsync(actions, cancellationToken);
    }

    private static LoanOverride Read(TableEntity row) => JsonSerializer.Deserialize<LoanOverride>(row.GetString("Doc"), NplRuns.Json)!;
}
