namespace CreditFlows.Functions.Hosting;

public static class FunctionHostExtensions
{
    /// <summary>
    /// Registers the handler of the timer or queue function <paramref name="name"/> (an <see cref="ITimerFunction"/> or
    /// <see cref="IQueueFunction"/>), which its <c>[Function]</c> wrapper names too; the local runner and the run-now
    /// endpoints find it by that name.
    /// </summary>
    public static IServiceCollection AddFunction<THandler>(this IServiceCollection services, string name)
        where THandler : class
    {
        if (!typeof(ITimerFunction).IsAssignableFrom(typeof(THandler)) && !typeof(IQueueFunction).IsAssignableFrom(typeof(THandler)))
        {
            throw new InvalidOperationException($"{typeof(THandler).Name} is neither an {nameof(ITimerFunction)} nor an {nameof(IQueueFunction)}.");
        }

        services.AddScoped<THandler>();
        services.AddSingleton(new FunctionRegistration(name, typeof(THandler)));
        return services;
    }

    /// <summary>A custom handler–style queue handler (<see cref="IFunctionHandler"/>), run through <see cref="LegacyQueueFunction{THandler}"/>.</summary>
    public static IServiceCollection AddLegacyQueueFunction<THandler>(this IServiceCollection services, string name)
        where THandler : class, IFunctionHandler
    {
        services.AddScoped<THandler>();
        return services.AddFunction<LegacyQueueFunction<THandler>>(name);
    }

    /// <summary>A custom handler–style timer handler (<see cref="IFunctionHandler"/>), run through <see cref="LegacyTimerFunction{THandler}"/>.</summary>
    public static IServiceCollection AddLegacyTimerFunction<THandler>(this IServiceCollection services, string name)
        where THandler : class, IFunctionHandler
    {
        services.AddScoped<THandler>();
        return services.AddFunction<LegacyTimerFunction<THandler>>(name);
    }

    /// <summary>host.json, the function catalog and the invoker: what both the local runner and the run-now endpoints use.</summary>
    public static IServiceCollection AddFunctionCatalog(this IServiceCollection services)
    {
        services.AddSingleton(sp => HostJson.Load(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<FunctionCatalog>();
        services.AddSingleton<FunctionInvoker>();
        return services;
    }
}
