using CreditFlows.Functions;
using CreditFlows.Functions.Hosting;

// Without a Functions host, local.settings.json's Values become app settings, as under `func start`.
LocalSettings.Apply();
LocalSettings.AlignEnvironmentName();

var builder = WebApplication.CreateBuilder(args);
builder.AddCreditFlows();

var app = builder.Build();
app.UseCreditFlows();
app.Run();

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
