using Azure;
using Azure.Data.Tables;
using CreditFlows.Functions.Features.Branches;
using CreditFlows.Functions.Identity;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Demo;

/// <summary>
/// In Development (and where <c>Demo:Seed</c> is true), adds the demo branches and users once — what exists is
/// left as it is — and prints a development token per demo user when the app has started.
/// </summary>
public sealed partial class DemoSeeder(
    BranchStore branches,
    TableServiceClient tables,
    DevTokens tokens,
    IHostApplicationLifetime lifetime,
    IHostEnvironment environment,
    IConfiguration configuration,
    ILogger<DemoSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment() || !configuration.GetValue("Demo:Seed", true))
        {
            return;
        }

        var added = 0;
        foreach (var branch in DemoData.Branches)
        {
            added += await branches.AddIfAbsentAsync(branch, cancellationToken) ? 1 : 0;
        }

        var users = tables.GetTableClient(StorageNames.Tables.Users);
        foreach (var user in DemoData.Users)
        {
            try
            {
                await users.AddEntityAsync(new TableEntity("user", user.Id)
                {
                    ["Name"] = user.Name,
                    ["Roles"] = string.Join(",", user.Roles.Order()),
                    ["Branch"] = user.Branch.Value,
                    ["Email"] = DemoData.EmailOf(user),
                }, cancellationToken);
                added++;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Seeded before: keep what is there, but give rows seeded before emails existed one.
                var existing = (await users.GetEntityAsync<TableEntity>("user", user.Id, cancellationToken: cancellationToken)).Value;
                if (string.IsNullOrEmpty(existing.GetString("Email")))
                {
                    await users.UpdateEntityAsync(new TableEntity("user", user.Id) { ["Email"] = DemoData.EmailOf(user) }, existing.ETag, TableUpdateMode.Merge, cancellationToken);
                }
            }
        }

        LogSeeded(logger, added);
        lifetime.ApplicationStarted.Register(PrintTokens);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void PrintTokens()
    {
        if (tokens.KeyIsEphemeral)
        {
            LogEphemeralKey(logger);
        }

        foreach (var user in DemoData.Users)
        {
            LogToken(logger, user.Id, string.Join("+", user.Roles.Order()), user.Branch.Value, tokens.Issue(user));
        }
    }

    [LoggerMessage(LogLevel.Information, "Demo data: {Added} branches and users added (existing ones kept)")]
    private static partial void LogSeeded(ILogger logger, int added);

    [LoggerMessage(LogLevel.Warning, "Identity:DevTokenSigningKey is not set: the demo tokens below are valid until the app restarts")]
    private static partial void LogEphemeralKey(ILogger logger);

    [LoggerMessage(LogLevel.Information, "Demo token {User} ({Roles}, {Branch}): {Token}")]
    private static partial void LogToken(ILogger logger, string user, string roles, string branch, string token);
}
