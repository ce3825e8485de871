/*
 * A Kafka cluster for tests: librdkafka's mock cluster (rdkafka_mock.h) with N brokers on
 * loopback ports. Prints "bootstrap <host:port,...>" once listening, then obeys one command
 * per line on stdin and answers "ok" or "error <reason>" to each:
 *   topic <name> <partitions>   create a topic (the mock refuses the CreateTopics admin API)
 *   down <broker id>            close the broker's connections and refuse new ones
 *   up <broker id>              accept connections again
 *   quit                        stop (so does end of input: the cluster dies with its owner)
 * Usage: kafka-mock [brokers=3] [topic:partitions ...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static int create_topic(rd_kafka_mock_cluster_t *cluster, const char *name, int partitions, int brokers) {
    if (partitions < 1 || partitions > 1000) return -1;
    /* Replicated to every broker, like a production topic with acks=all. */
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, name, partitions, brokers);
    return err == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
}

static void answer(const char *text) {
    fputs(text, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

int main(int argc, char **argv) {
    int brokers = argc > 1 ? atoi(argv[1]) : 3;
    if (brokers < 1 || brokers > 16) {
        fprintf(stderr, "kafka-mock: brokers must be 1..16\n");
        return 2;
    }
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* The handle only owns the cluster and never connects; its "no bootstrap servers" notice is noise. */
    if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "kafka-mock: %s\n", errstr);
        return 1;
    }
    rd_kafka_t *handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!handle) {
        fprintf(stderr, "kafka-mock: %s\n", errstr);
        return 1;
    }
    rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(handle, brokers);
    if (!cluster) {
        fprintf(stderr, "kafka-mock: could not create the mock cluster\n");
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        char name[256];
        int partitions = 0;
        if (sscanf(argv[i], "%255[^:]:%d", name, &partitions) != 2 || create_topic(cluster, name, partitions, brokers) != 0) {
            fprintf(stderr, "kafka-mock: bad topic argument %s (want name:partitions)\n", argv[i]);
            return 2;
        }
    }
    printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(cluster));
    fflush(stdout);

    char line[512];
    while (fgets(line, sizeof line, stdin)) {
        char command[32], name[256];
        int number = 0;
        int fields = sscanf(line, "%31s %255s %d", command, name, &number);
        if (fields < 1) continue;
        if (strcmp(command, "quit") == 0) break;
        if (strcmp(command, "topic") == 0 && fields == 3) {
            answer(create_topic(cluster, name, number, brokers) == 0 ? "ok" : "error topic not created");
        } else if ((strcmp(command, "down") == 0 || strcmp(command, "up") == 0) && fields >= 2) {
            char *end = NULL;
            errno = 0;
            long id = strtol(name, &end, 10);
            if (errno || *end || id < 1 || id > brokers) {
                answer("error no such broker");
                continue;
            }
            rd_kafka_resp_err_t err = strcmp(command, "down") == 0 ? rd_kafka_mock_broker_set_down(cluster, (int32_t)id)
                                                                    : rd_kafka_mock_broker_set_up(cluster, (int32_t)id);
            answer(err == RD_KAFKA_RESP_ERR_NO_ERROR ? "ok" : "error broker state not changed");
        } else {
            answer("error unknown command");
        }
    }
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(handle);
    return 0;
}
