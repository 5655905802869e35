using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Identity;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// Each [Function] wrapper invoked as the worker invokes it: an instance made from the app's services, a FunctionContext
/// made here, for HTTP an HttpContext with the route values the worker's routing sets, and the returned result executed as
/// the worker's ASP.NET Core integration executes it. The request reaches the same middleware and handler as the embedded app.
/// </summary>
public class FunctionWrapperTests() : AppTestBase(new TestApp())
{
    public static TheoryData<string> HttpFunctions() =>
        [.. FunctionCatalog.FromAssembly(typeof(Program).Assembly).Where(f => f.Binding is HttpBinding).Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public async Task Every_HTTP_wrapper_reaches_the_apps_pipeline_and_without_a_token_is_refused_as_the_embedded_app_refuses(string function)
    {
        var (status, body, http) = await InvokeHttpAsync(function, token: null);

        Assert.True(status < 500, $"{function}: {status} {body}");
        Assert.True(http.Items.ContainsKey(CorrelationIdMiddleware.ItemKey), $"{function}: no correlation id, so not through the app's middleware");
        var anonymous = App.Services.GetRequiredService<ApiDispatcher>().Endpoints[function].Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null;
        if (anonymous)
        {
            Assert.NotEqual(StatusCodes.Status401Unauthorized, status);
        }
        else
        {
            Assert.Equal(StatusCodes.Status401Unauthorized, status);
            Assert.Equal("application/problem+json", http.Response.ContentType);
            Assert.Equal(http.Items[CorrelationIdMiddleware.ItemKey], JsonNode.Parse(body)!["correlationId"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Me_with_a_dev_token_answers_the_user()
    {
        var (status, body, _) = await InvokeHttpAsync("Me_Get", Token("lo-wrapper", "B01", Role.LoanOfficer));

        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.Equal("lo-wrapper", JsonNode.Parse(body)!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Health_answers_healthy_through_its_wrapper()
    {
        var (status, body, _) = await InvokeHttpAsync("Health_Get", token: null);

        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.Equal("Healthy", JsonNode.Parse(body)!["status"]!.GetValue<string>());
        Assert.Equal(["Docs_Path_Get", "Health_Get", "Openapi_V1Json_Get"], App.Services.GetRequiredService<ApiDispatcher>().Endpoints
            .Where(e => e.Value.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null).Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_bad_body_is_a_400_problem_naming_the_field()
    {
        var open = Loans.OpenBody();
        open["amount"] = "lots";

        var (status, body, http) = await InvokeHttpAsync("Applications_Post", Token("lo-wrapper", "B01", Role.LoanOfficer), open.ToJsonString());

        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.Equal("application/problem+json", http.Response.ContentType);
        Assert.True(JsonNode.Parse(body)!["errors"]!.AsObject().ContainsKey("amount"), body);
    }

    [Fact]
    public async Task The_wrong_role_is_a_403_problem_and_route_values_reach_the_handler()
    {
        var (status, _, _) = await InvokeHttpAsync("Admin_Functions_Name_Post", Token("lo-wrapper", "B01", Role.LoanOfficer));
        Assert.Equal(StatusCodes.Status403Forbidden, status);

        var (found, body, _) = await InvokeHttpAsync("Branches_Id_Get", Token("hq-wrapper", "HQ", Role.HqAdmin), routeValue: "B01");
        Assert.Equal(StatusCodes.Status200OK, found);
        Assert.Contains("B01", body);
    }

    [Fact]
    public async Task The_OpenAPI_document_is_served_through_its_wrapper()
    {
        var (status, body, _) = await InvokeHttpAsync("Openapi_V1Json_Get", token: null);

        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.True(JsonNode.Parse(body)!["paths"]!.AsObject().ContainsKey("/api/branches/{id}"));
    }

    public static TheoryData<string> TriggerFunctions() =>
        [.. FunctionCatalog.FromAssembly(typeof(Program).Assembly).Where(f => f.Binding is TimerBinding or QueueBinding).Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(TriggerFunctions))]
    public async Task Every_timer_and_queue_wrapper_calls_the_handler_registered_under_its_name(string function)
    {
        var method = FunctionMethods.All().Single(f => f.Name == function).Method;
        var services = new HandlerRecorder();
        var context = new TestFunctionContext(function, services);
        var isTimer = method.GetParameters()[0].ParameterType == typeof(TimerInfo);
        var timer = new TimerInfo { IsPastDue = true, ScheduleStatus = new Microsoft.Azure.Functions.Worker.ScheduleStatus { Next = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc) } };
        object?[] arguments = [.. method.GetParameters().Select(object? (p) => p.ParameterType switch
        {
            var t when t == typeof(TimerInfo) => timer,
            var t when t == typeof(string) => "the message",
            var t when t == typeof(long) => 3L,
            var t when t == typeof(FunctionContext) => context,
            _ => null, // [DurableClient]: none in this test
        })];

        await (Task)method.Invoke(Activator.CreateInstance(method.DeclaringType!), arguments)!;

        var registration = App.Services.GetServices<FunctionRegistration>().Single(r => r.Name == function);
        Assert.Equal(registration.Handler, services.Requested);
        var call = Assert.Single(services.Handler.Calls);
        if (isTimer)
        {
            Assert.True(call.Timer!.IsPastDue);
            Assert.Equal(new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc), call.Timer.ScheduleStatus!.Next);
        }
        else
        {
            Assert.Equal(("the message", 3L), (call.Message, call.DequeueCount));
        }
    }

    [Fact]
    public async Task The_Heartbeat_wrapper_runs_the_real_handler()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var before = await App.Services.GetRequiredService<Features.Heartbeat.HeartbeatStore>().LatestAsync(CancellationToken.None);

        await new Functions.Triggers().Heartbeat(new TimerInfo(), new TestFunctionContext("Heartbeat", scope.ServiceProvider));

        var after = await App.Services.GetRequiredService<Features.Heartbeat.HeartbeatStore>().LatestAsync(CancellationToken.None);
        Assert.NotNull(after);
        Assert.NotEqual(before?.RowKey, after.RowKey);
    }

    [Fact]
    public async Task A_queue_wrapper_fails_the_invocation_when_its_real_handler_refuses_the_message()
    {
        await using var scope = App.Services.CreateAsyncScope();

        var refused = await Assert.ThrowsAsync<InvalidInvocationException>(() =>
            new Functions.Triggers().NplPrepareDay("{\"attempt\":0}", 1, new TestFunctionContext("NplPrepareDay", scope.ServiceProvider)));
        Assert.Contains("a date and an attempt", refused.Message);
    }

    /// <summary>Invokes the HTTP wrapper of <paramref name="function"/> as the worker would; answers status, body and the context.</summary>
    private async Task<(int Status, string Body, HttpContext Http)> InvokeHttpAsync(string function, string? token, string? json = null, string routeValue = "x1")
    {
        var (name, method) = FunctionMethods.All().Single(f => f.Name == function);
        var endpoint = App.Services.GetRequiredService<ApiDispatcher>().Endpoints[function];
        var binding = (HttpBinding)FunctionCatalog.TriggerOf(method);
        await using var scope = App.Services.CreateAsyncScope();

        // What the worker's ASP.NET Core integration hands over: the request, routed on the function's route (api/ + route).
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Method = binding.Methods.Single().ToUpperInvariant();
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("localhost");
        var segments = new List<string>();
        foreach (var segment in RoutePatternFactory.Parse("api/" + binding.Route).PathSegments)
        {
            var text = new StringBuilder();
            foreach (var part in segment.Parts)
            {
                if (part is RoutePatternParameterPart parameter)
                {
                    http.Request.RouteValues[parameter.Name] = routeValue;
                    text.Append(routeValue);
                }
                else
                {
                    text.Append(part is RoutePatternLiteralPart literal ? literal.Content : ((RoutePatternSeparatorPart)part).Content);
                }
            }

            segments.Add(text.ToString());
        }

        http.Request.Path = "/" + string.Join('/', segments);
        if (token is not null)
        {
            http.Request.Headers.Authorization = $"Bearer {token}";
        }

        if (json is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            http.Request.Body = new MemoryStream(bytes);
            http.Request.ContentType = "application/json";
            http.Request.ContentLength = bytes.Length;
            http.Request.Headers["Idempotency-Key"] = Guid.NewGuid().ToString("N");
        }

        var body = new MemoryStream();
        http.Response.Body = body;
        var context = new TestFunctionContext(name, scope.ServiceProvider, http);

        var wrapper = ActivatorUtilities.CreateInstance(scope.ServiceProvider, method.DeclaringType!);
        var request = context.GetHttpContext()!.Request;
        var result = await (Task<IResult>)method.Invoke(wrapper, [request, null!])!;
        await result.ExecuteAsync(http);

        Assert.Same(endpoint, http.GetEndpoint() ?? endpoint); // the dispatcher set the endpoint of the same name (cleared only by Swagger UI)
        return (http.Response.StatusCode, Encoding.UTF8.GetString(body.ToArray()), http);
    }

    private string Token(string id, string branch, params Role[] roles) =>
        App.Services.GetRequiredService<DevTokens>().Issue(new CreditUser(id, id, roles.ToHashSet(), BranchId.Parse(branch)));

    /// <summary>Services that answer a recording handler for whatever handler type a wrapper asks for, and remember the type.</summary>
    private sealed class HandlerRecorder : IServiceProvider
    {
        public RecordingFunction Handler { get; } = new();

        public Type? Requested { get; private set; }

        public object? GetService(Type serviceType)
        {
            if (typeof(ITimerFunction).IsAssignableFrom(serviceType) || typeof(IQueueFunction).IsAssignableFrom(serviceType))
            {
                Requested = serviceType;
                return Handler;
            }

            return serviceType == typeof(Features.Workflow.InvocationDurableClient) ? new Features.Workflow.InvocationDurableClient() : null;
        }
    }
}
