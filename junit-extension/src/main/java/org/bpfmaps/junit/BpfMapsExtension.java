package org.bpfmaps.junit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.bpfmaps.MapBackend;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * The JUnit 5 extension behind {@link BpfMapsTest}.
 *
 * <p>It makes one invocation per backend, each with a fresh backend and injected maps, and closes everything
 * after the test.
 *
 * <p>Register it through {@link BpfMapsTest}; using it directly with {@code @ExtendWith} on a class gives plain
 * {@code @Test} methods a simulator with 2 CPUs.
 */
public final class BpfMapsExtension implements TestTemplateInvocationContextProvider, ParameterResolver,
        BeforeEachCallback, AfterEachCallback {
    /** Environment variable that, set to {@code 1}, turns a skipped linux invocation into a failure. */
    public static final String REQUIRE_KERNEL_ENV = "BPFMAPS_REQUIRE_KERNEL";
    /**
     * System property that, set to {@code true}, does the same as {@value #REQUIRE_KERNEL_ENV}{@code =1}; set to
     * {@code false} it overrides the environment variable.
     */
    public static final String REQUIRE_KERNEL_PROPERTY = "bpfmaps.requireKernel";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
            BpfMapsExtension.class);
    private static final String SESSION = "session";

    /** Creates the extension; JUnit does this. */
    public BpfMapsExtension() {
    }

    /** The property when set ({@code true} or {@code false}), else the environment variable. */
    static boolean kernelRequired() {
        String property = System.getProperty(REQUIRE_KERNEL_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Boolean.parseBoolean(property.trim());
        }
        return "1".equals(System.getenv(REQUIRE_KERNEL_ENV));
    }

    // ---- test templates: one invocation per backend ---------------------------------------------------

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(BpfMapsTest.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        BpfMapsTest config = context.getRequiredTestMethod().getAnnotation(BpfMapsTest.class);
        if (config.backends().length == 0) {
            throw new ExtensionConfigurationException("@BpfMapsTest on " + context.getRequiredTestMethod()
                    + " lists no backends");
        }
        return Arrays.stream(config.backends()).map(b -> new Invocation(b, config.cpus()));
    }

    /** One backend's run of a template method. */
    private static final class Invocation implements TestTemplateInvocationContext {
        private final Backend backend;
        private final int cpus;

        Invocation(Backend backend, int cpus) {
            this.backend = backend;
            this.cpus = cpus;
        }

        @Override
        public String getDisplayName(int invocationIndex) {
            return "[" + new TestSession(backend, cpus) + "]";
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new SessionExtension(backend, cpus));
        }
    }

    // ---- plain @Test methods in a class carrying @BpfMapsTest: the first backend listed -----------------

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (isTemplate(context)) {
            return;
        }
        BpfMapsTest config = classConfig(context);
        Backend backend = config == null ? Backend.SIMULATOR : config.backends()[0];
        int cpus = config == null ? 2 : config.cpus();
        SessionExtension.start(context, new TestSession(backend, cpus));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!isTemplate(context)) {
            SessionExtension.finish(context);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return !isTemplate(extensionContext) && SessionExtension.supports(parameterContext);
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return SessionExtension.resolve(parameterContext, extensionContext);
    }

    private static boolean isTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(BpfMapsTest.class)).orElse(false);
    }

    private static BpfMapsTest classConfig(ExtensionContext context) {
        for (Optional<Class<?>> c = context.getTestClass(); c.isPresent();
             c = Optional.ofNullable(c.get().getEnclosingClass())) {
            BpfMapsTest config = c.get().getAnnotation(BpfMapsTest.class);
            if (config != null) {
                return config;
            }
        }
        return null;
    }

    /**
     * The per-invocation half: resolves parameters, injects fields and closes the session; exists so that each
     * template invocation carries its own backend choice.
     */
    static final class SessionExtension implements ParameterResolver, BeforeEachCallback, AfterEachCallback {
        private final Backend backend;
        private final int cpus;

        SessionExtension(Backend backend, int cpus) {
            this.backend = backend;
            this.cpus = cpus;
        }

        @Override
        public void beforeEach(ExtensionContext context) throws Exception {
            start(context, new TestSession(backend, cpus));
        }

        @Override
        public void afterEach(ExtensionContext context) throws Exception {
            finish(context);
        }

        @Override
        public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
            return supports(parameterContext);
        }

        @Override
        public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
            return resolve(parameterContext, extensionContext);
        }

        static void start(ExtensionContext context, TestSession session) throws IllegalAccessException {
            // stored first, so that the store closes it even if what follows fails
            context.getStore(NAMESPACE).put(SESSION, session);
            session.checkAvailable();
            context.getTestMethod().ifPresent(m -> session.checkDeclaredTypes(m, context.getRequiredTestClass()));
            injectFields(context, session);
        }

        static void finish(ExtensionContext context) throws Exception {
            TestSession session = context.getStore(NAMESPACE).remove(SESSION, TestSession.class);
            if (session != null) {
                session.close();
            }
        }

        static boolean supports(ParameterContext parameterContext) {
            Class<?> type = parameterContext.getParameter().getType();
            return type == MapBackend.class || parameterContext.isAnnotated(BpfMapDef.class);
        }

        static Object resolve(ParameterContext parameterContext, ExtensionContext context) {
            TestSession session = context.getStore(NAMESPACE).get(SESSION, TestSession.class);
            if (session == null) {
                throw new ParameterResolutionException("no bpfmaps session for " + parameterContext.getParameter()
                        + ": parameters are injected into test methods and @BeforeEach/@AfterEach methods only");
            }
            var parameter = parameterContext.getParameter();
            if (parameter.getType() == MapBackend.class) {
                return session.backend();
            }
            BpfMapDef def = parameterContext.findAnnotation(BpfMapDef.class).orElseThrow();
            String where = TestSession.describe(parameter, parameterContext.getDeclaringExecutable());
            return session.create(def, parameter.getParameterizedType(), context.getRequiredTestClass(), where);
        }

        private static void injectFields(ExtensionContext context, TestSession session)
                throws IllegalAccessException {
            Optional<?> instances = context.getTestInstances();
            if (instances.isEmpty()) {
                return;
            }
            for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
                for (Class<?> c = instance.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
                    for (Field f : c.getDeclaredFields()) {
                        BpfMapDef def = f.getAnnotation(BpfMapDef.class);
                        if (def == null) {
                            continue;
                        }
                        String where = "field " + c.getSimpleName() + "." + f.getName();
                        if (Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers())) {
                            throw new ExtensionConfigurationException(where + ": @BpfMapDef fields must be neither "
                                    + "static nor final");
                        }
                        f.setAccessible(true);
                        f.set(instance, session.create(def, f.getGenericType(), instance.getClass(), where));
                    }
                }
            }
        }
    }
}
