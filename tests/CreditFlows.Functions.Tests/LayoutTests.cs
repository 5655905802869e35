using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>The app's functions have their handlers, and the published folder is what the Functions host runs.</summary>
public class LayoutTests
{
    [Fact]
    public async Task Every_timer_and_queue_function_has_a_handler_and_every_handler_a_function()
    {
        await using var testApp = new TestApp();
        var handlers = testApp.Services.GetServices<FunctionRegistration>().Select(r => r.Name).Order().ToList();
        var functions = testApp.Services.GetRequiredService<FunctionCatalog>().Functions.Where(f => f.Binding is TimerBinding or QueueBinding).Select(f => f.Name).Order().ToList();

        Assert.Equal(handlers, functions);
        Assert.Contains("Heartbeat", handlers);
        Assert.Contains("OutboxDispatch", handlers);
    }

    [Fact]
    public void HostJson_keeps_the_api_prefix_and_the_queue_settings_and_has_no_custom_handler_or_bundle()
    {
        var host = HostJson.Load(Path.Combine(Azurite.RepositoryRoot(), "functions", "CreditFlows.Functions"));

        Assert.Equal("api", host.GetSetting("extensions:http:routePrefix"));
        Assert.Equal("5", host.GetSetting("extensions:queues:maxDequeueCount"));
        Assert.Equal(TimeSpan.FromMinutes(10), host.FunctionTimeout);
        Assert.Null(host.GetSetting("customHandler:description:defaultExecutablePath"));
        Assert.Null(host.GetSetting("extensionBundle:id"));
        Assert.Null(host.Functions);
    }

    [Fact]
    public async Task The_published_folder_is_an_isolated_worker_app_and_runs_the_embedded_default_on_its_own()
    {
        var output = Path.Combine(Path.GetTempPath(), "creditflows-tests", $"publish-{Guid.NewGuid():N}");
        try
        {
            var publish = await RunAsync("bash", $"scripts/publish.sh \"{output}\"", Azurite.RepositoryRoot(), TimeSpan.FromMinutes(5));
            Assert.True(publish.ExitCode == 0, publish.Output);

            // The layout the host needs: host.json, the generated function metadata, the worker's config, the executable.
            foreach (var file in new[] { "host.json", "functions.metadata", "worker.config.json", "extensions.json", "CreditFlows.Functions.dll" })
            {
                Assert.True(File.Exists(Path.Combine(output, file)), $"{file} is missing");
            }

            Assert.Empty(Directory.EnumerateFiles(output, "function.json", SearchOption.AllDirectories));
            var executable = Path.Combine(output, "CreditFlows.Functions");
            Assert.True(File.Exists(executable));
            Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(executable).HasFlag(UnixFileMode.UserExecute));

            // Started without the host's switches, it is the embedded default: it serves the API from its folder.
            var port = FreePort();
            using var app = Process.Start(new ProcessStartInfo(executable)
            {
                WorkingDirectory = output,
                Environment =
                {
                    ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                    ["AzureWebJobsStorage"] = Azurite.ConnectionString,
                    ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production",
                    ["LocalRunner__Enabled"] = "false",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            try
            {
                using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                Assert.True(await ReadyAsync(client), "the app did not answer /api/health");
            }
            finally
            {
                app.Kill(entireProcessTree: true);
                await app.WaitForExitAsync();
            }
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    private static async Task<bool> ReadyAsync(HttpClient client)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                if ((await client.GetAsync("/api/health")).StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        return false;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, string workingDirectory, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
