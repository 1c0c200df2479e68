namespace Tasks;

/// <summary>A backend configured in code under an alias.</summary>
internal sealed record TaskBackendRegistration(string Alias, Func<IServiceProvider, string, ITaskBackend> Factory);
