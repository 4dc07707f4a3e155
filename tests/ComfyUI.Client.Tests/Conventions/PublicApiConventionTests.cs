using System.Reflection;

namespace ComfyUI.Client.Tests.Conventions;

public sealed class PublicApiConventionTests
{
    private static readonly Assembly Sdk = typeof(ComfyUIClient).Assembly;

    private static bool IsAsync(Type type) =>
        type == typeof(Task) || type == typeof(ValueTask)
        || (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(Task<>) || definition == typeof(ValueTask<>) || definition == typeof(IAsyncEnumerable<>)));

    [Fact]
    public void Every_public_async_method_takes_a_cancellation_token_last()
    {
        var offenders = Sdk.GetExportedTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Concat(type.GetMethods(BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(method => method.IsFamily || method.IsFamilyOrAssembly)))
            .Where(method => IsAsync(method.ReturnType) && !method.IsSpecialName && method.Name != nameof(IAsyncDisposable.DisposeAsync))
            .Where(method => method.GetParameters() is not [.., { ParameterType: var last }] || last != typeof(CancellationToken))
            .Select(method => $"{method.DeclaringType!.Name}.{method.Name}")
            .ToArray();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Sub_clients_have_virtual_async_methods_and_a_protected_parameterless_constructor()
    {
        var clients = Sdk.GetExportedTypes().Where(type => type.IsClass && type.Name.EndsWith("Client", StringComparison.Ordinal) && type != typeof(ComfyUIClient)).ToArray();
        Assert.Contains(typeof(FilesClient), clients);
        Assert.Contains(typeof(JobsClient), clients);
        Assert.Contains(typeof(DiscoveryClient), clients);
        Assert.Contains(typeof(UserDataClient), clients);
        Assert.Contains(typeof(UsersClient), clients);

        foreach (var client in clients)
        {
            Assert.False(client.IsSealed, client.Name);
            var constructor = client.GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, Type.EmptyTypes);
            Assert.True(constructor is { IsFamily: true }, $"{client.Name} needs a protected parameterless constructor");
            Assert.Empty(client.GetConstructors(BindingFlags.Instance | BindingFlags.Public));
            foreach (var method in client.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(method => IsAsync(method.ReturnType)))
            {
                Assert.True(method.IsVirtual && !method.IsFinal, $"{client.Name}.{method.Name} must be virtual");
            }
        }
    }

    [Fact]
    public void Root_client_exposes_every_area()
    {
        var names = typeof(ComfyUIClient).GetProperties().Select(property => property.Name).ToHashSet();

        Assert.Superset(new HashSet<string> { "Queue", "History", "Memory", "Discovery", "Files", "UserData", "Users", "Jobs", "Internal" }, names);
    }
}
