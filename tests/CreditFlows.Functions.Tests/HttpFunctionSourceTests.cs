using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>The committed HTTP [Function] wrappers are exactly what the route table generates.</summary>
public class HttpFunctionSourceTests
{
    public const string WriteVariable = "CREDITFLOWS_WRITE_HTTP_FUNCTIONS";

    [Fact]
    public async Task The_committed_HTTP_wrappers_are_generated_from_the_route_table()
    {
        await using var app = new TestApp();
        var generated = HttpFunctionSource.Generate(app.Services.GetRequiredService<ApiDispatcher>().Endpoints.Values);
        var folder = Path.Combine(Azurite.RepositoryRoot(), HttpFunctionSource.Folder);

        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            Directory.CreateDirectory(folder);
            foreach (var stale in Directory.EnumerateFiles(folder, "*.cs"))
            {
                File.Delete(stale);
            }

            foreach (var (file, text) in generated)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, file), text);
            }
        }

        Assert.Equal(generated.Keys, Directory.EnumerateFiles(folder, "*.cs").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var (file, text) in generated)
        {
            Assert.True(text == await File.ReadAllTextAsync(Path.Combine(folder, file)),
                $"{HttpFunctionSource.Folder}/{file} differs from the route table: run scripts/http-functions.sh and commit the result.");
        }
    }
}
