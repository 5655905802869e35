using Azure.Data.Tables;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;
using CreditFlows.Functions.Features.Npl;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>Warnings sent several at a time still go once per cause per day.</summary>
public class NplAlertsTests() : AppTestBase(new TestApp(settings: NplHarness.Settings()))
{
    private static readonly DateOnly Day = new(2026, 11, 21);

    [Fact]
    public async Task Each_cause_is_sent_once_even_when_listed_twice_or_sent_again()
    {
        var alerts = App.Services.GetRequiredService<NplAlerts>();
        var storage = App.Services.GetRequiredService<NplStorage>();
        var to = new[] { new AlertRecipient(Role.RiskManager, BranchId.Headquarters) };
        var warnings = Enumerable.Range(0, 20).Select(i => new EarlyWarning($"officer-npl|lo-{i % 12}", to, $"subject {i % 12}", "text")).ToList();

        Assert.Equal(12, await alerts.SendEachOnceAsync(Day, warnings, CancellationToken.None));
        Assert.Equal(0, await alerts.SendEachOnceAsync(Day, warnings, CancellationToken.None));

        var rows = new List<TableEntity>();
        await foreach (var row in storage.Alerts.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {NplStorage.Day(Day)}")))
        {
            rows.Add(row);
        }

        Assert.Equal(12, rows.Count);
        Assert.All(rows, r => Assert.True(r.GetBoolean("Sent")));
    }
}
