using Microsoft.Extensions.Configuration;

namespace Tasks;

/// <summary>A backend type that configuration can name in <c>Tasks:Backends:&lt;alias&gt;:Type</c>.</summary>
internal sealed record TaskBackendTypeRegistration(string TypeName, Func<IServiceProvider, string, IConfigurationSection, ITaskBackend> Factory);
