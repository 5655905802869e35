using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Npl.Synthetic;
using CreditFlows.Functions.Features.Npl;
using System.IO.Compression;

namespace CreditFlows.Functions.Tests;

/// <summary>The prepare step's staging: a branch's loans split into shard blobs by copying their encoded bytes.</summary>
public class NplStagingTests
{
    private static readonly DateOnly Day = new(2026, 11, 21);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Each_shard_holds_exactly_its_loans_in_extract_order_as_written(int count)
    {
        var loans = ExtractGenerator.Generate(new GeneratorOptions(1500, Day, Branches: 1, OfficersPerBranch: 4, Seed: 3)).ToList();
        using var branch = new NplStagedBranch();
        foreach (var loan in loans)
        {
            branch.Add(loan);
        }

        Assert.Equal(loans.Count, branch.Count);
        var shards = branch.Shards(count);
        Assert.Equal(count, shards.Length);
        for (var i = 0; i < count; i++)
        {
            using var unzip = new GZipStream(shards[i], CompressionMode.Decompress);
            var read = LoanCodec.ReadRecords(unzip).ToList();
            Assert.Equal(loans.Where(l => NplStorage.ShardOf(l.LoanId, count) == i).ToList(), read);
        }
    }

    [Fact]
    public void The_shard_of_a_loan_is_its_fnv_hash_modulo_the_count()
    {
        Assert.Equal(0, NplStorage.ShardOf("LN1", 1));
        Assert.Equal((int)(NplStorage.ShardHash("贷款-42") % 5u), NplStorage.ShardOf("贷款-42", 5));
        Assert.Equal(2166136261u, NplStorage.ShardHash(string.Empty));
    }
}
