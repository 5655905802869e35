using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>The function app folder is what the Functions host expects, and the published folder runs as the host runs it.</summary>
public class LayoutTests
{
    private static readonly string AppFolder = Path.Combine(Azurite.RepositoryRoot(), "functions", "CreditFlows.Functions");

    [Fact]
    public async Task Every_function_json_has_a_handler_and_every_handler_a_function_json()
    {
        var app = FunctionApp.Load(AppFolder);
        await using var testApp = new TestApp();
        var handlers = testApp.Services.GetServices<FunctionRegistration>().Select(r => r.Name).Order().ToList();

        Assert.Equal(handlers, app.Functions.Where(f => !f.IsHttp).Select(f => f.Name).Order().ToList());
        Assert.Contains("Heartbeat", handlers);
        Assert.Contains("OutboxDispatch", handlers);
    }

    [Fact]
    public void One_anonymous_catch_all_HTTP_function_serves_the_API_through_proxying()
    {
        var app = FunctionApp.Load(AppFolder);

        var http = Assert.Single(app.Functions, f => f.IsHttp);
        Assert.Equal("anonymous", http.GetSetting("authLevel"));
        Assert.Equal("{*route}", http.GetSetting("route"));
        Assert.Equal("true", app.GetHostSetting("customHandler:enableProxyingHttpRequest"));
        Assert.Equal("CreditFlows.Functions", app.GetHostSetting("customHandler:description:defaultExecutablePath"));
        Assert.Equal("[4.*, 5.0.0)", app.GetHostSetting("extensionBundle:version"));
        Assert.Equal("api", app.GetHostSetting("extensions:http:routePrefix"));
    }

    [Fact]
    public async Task The_published_folder_runs_as_the_Functions_host_runs_it()
    {
        var output = Path.Combine(Path.GetTempPath(), "creditflows-tests", $"publish-{Guid.NewGuid():N}");
        try
        {
            var publish = await RunAsync("bash", $"scripts/publish.sh \"{output}\"", Azurite.RepositoryRoot(), TimeSpan.FromMinutes(5));
            Assert.True(publish.ExitCode == 0, publish.Output);

            // The layout the host needs: host.json, a folder per function with its function.json, the executable.
            Assert.True(File.Exists(Path.Combine(output, "host.json")));
            foreach (var function in FunctionApp.Load(AppFolder).Functions)
            {
                Assert.True(File.Exists(Path.Combine(output, function.Name, "function.json")), $"{function.Name}/function.json is missing");
            }

            var executable = Path.Combine(output, "CreditFlows.Functions");
            Assert.True(File.Exists(executable));
            Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(executable).HasFlag(UnixFileMode.UserExecute));
            // An isolated-worker app on Flex Consumption: framework-dependent, with the worker's files the build generates.
            Assert.True(File.Exists(Path.Combine(output, "worker.config.json")), "worker.config.json is missing");
            Assert.True(File.Exists(Path.Combine(output, "functions.metadata")), "functions.metadata is missing");

            // Start it as the host does: from its folder, with FUNCTIONS_CUSTOMHANDLER_PORT, and invoke a function.
            var port = FreePort();
            using var handler = Process.Start(new ProcessStartInfo(executable)
            {
                WorkingDirectory = output,
                Environment =
                {
                    ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["AzureWebJobsStorage"] = Azurite.ConnectionString,
                    ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            try
            {
                using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                Assert.True(await ReadyAsync(client), "the handler did not answer on FUNCTIONS_CUSTOMHANDLER_PORT");
                var invocation = await client.PostAsync("/Heartbeat", new StringContent(
                    """{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}},"Metadata":{}}""",
                    Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.OK, invocation.StatusCode);
                Assert.StartsWith("beat-", JsonNode.Parse(await invocation.Content.ReadAsStringAsync())!["ReturnValue"]!.GetValue<string>());
            }
            finally
            {
                handler.Kill(entireProcessTree: true);
                await handler.WaitForExitAsync();
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
                if ((await client.GetAsync("/api/health")).IsSuccessStatusCode)
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
