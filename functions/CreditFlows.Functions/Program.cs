using CreditFlows.Functions;
using CreditFlows.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;

if (HostEnvironment.StartedByFunctionsHost(args))
{
    // Under the Azure Functions host: the .NET isolated worker, its HTTP functions on the ASP.NET Core integration.
    var worker = FunctionsApplication.CreateBuilder(args);
    worker.ConfigureFunctionsWebApplication();
    worker.AddCreditFlowsWorker();
    worker.Build().Run();
    return;
}

// The embedded default (./scripts/run.sh, the tests): local.settings.json's Values become app settings, as under `func start`.
LocalSettings.Apply();
LocalSettings.AlignEnvironmentName();

var builder = WebApplication.CreateBuilder(args);
builder.AddCreditFlows();

var app = builder.Build();
app.UseCreditFlows();
app.Run();

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
